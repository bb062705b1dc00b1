import { startAppServer, type AppServer } from "../test/support/app-server";
import { expect, test } from "./fixtures";

// One development server for the file: starting one (and its first compiles) is the slow part.
test.describe.configure({ mode: "serial" });
let dev: AppServer;
test.beforeAll(async () => {
  test.setTimeout(180_000);
  dev = await startAppServer({ env: { NODE_ENV: "development" }, timeoutMs: 120_000 });
});
test.afterAll(async () => dev?.stop());

test("in development, the page loads and both Next's hot-reload socket and /ws/events connect", async ({ page }) => {
  test.setTimeout(180_000);
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
});

test("in development, Replay recording fires the recorded triggers again, with their payloads, in order", async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto(dev.url, { timeout: 120_000 });
  await expect(page.locator('[data-testid="connection-state"][data-monitor="active"]')).toHaveText("Connected", { timeout: 60_000 });
  const traces = page.getByRole("list", { name: "Traces, newest first" }).getByRole("listitem");

  await page.getByRole("button", { name: "Record" }).click();
  for (const value of ["first to replay", "second to replay"]) {
    const response = await fetch(`${dev.url}/api/models`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ value }) });
    expect(response.status).toBe(200);
  }
  await expect(traces.filter({ hasText: "second to replay" })).toBeVisible({ timeout: 30_000 });
  await page.getByRole("button", { name: "Stop recording" }).click();

  await page.getByLabel("Speed").selectOption({ label: "no waits" });
  await page.getByRole("button", { name: "Replay recording" }).click();
  await expect(page.getByTestId("replay-status")).toHaveText("Replayed 2 of 2 triggers", { timeout: 30_000 });
  // The replayed ones come from the dashboard, the recorded ones from the server's route.
  const replayed = traces.filter({ hasText: "to replay" }).filter({ hasText: "dashboard" });
  await expect(replayed).toHaveCount(2);
  await expect(replayed.nth(0)).toContainText("second to replay");
  await expect(replayed.nth(1)).toContainText("first to replay");
});
