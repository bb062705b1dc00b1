import { startAppServer } from "../test/support/app-server";
import { expect, test } from "./fixtures";

test("in development, the page loads and both Next's hot-reload socket and /ws/events connect", async ({ page }) => {
  test.setTimeout(180_000);
  const dev = await startAppServer({ env: { NODE_ENV: "development" }, timeoutMs: 120_000 });
  try {
    const framesBySocket = new Map<string, number>();
    page.on("websocket", (socket) => {
      const path = new URL(socket.url()).pathname;
      framesBySocket.set(path, 0);
      socket.on("framereceived", () => framesBySocket.set(path, (framesBySocket.get(path) ?? 0) + 1));
    });
    // The development policy (with 'unsafe-eval') must let Next's dev runtime, hot reload and
    // overlay run: any "Refused to …" is a failure.
    const refused: string[] = [];
    page.on("console", (message) => {
      if (message.text().startsWith("Refused to") || message.text().includes("Content Security Policy")) refused.push(message.text());
    });
    const response = await page.goto(dev.url, { timeout: 120_000 });
    expect(response!.headers()["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+' 'unsafe-eval'/);
    await expect(page.getByRole("heading", { name: "Webfluid Events" })).toBeVisible();
    await page.evaluate(() => new window.wf.ext.events.EventManager().describe());
    await expect.poll(() => framesBySocket.get("/ws/events") ?? 0, { timeout: 30_000 }).toBeGreaterThan(0);
    // Next's own socket (hot reload) says hello as soon as it connects.
    await expect.poll(() => [...framesBySocket].find(([path, frames]) => path.startsWith("/_next/") && frames > 0)?.[0], { timeout: 60_000 }).toBeDefined();
    // Next's development overlay (its dev tools indicator) mounts.
    await expect(page.locator("nextjs-portal")).toBeAttached({ timeout: 30_000 });
    expect(refused).toEqual([]);
  } finally {
    await dev.stop();
  }
});
