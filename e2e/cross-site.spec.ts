import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "./fixtures";

/** A page on another origin (another port) that tries to open the app's /ws/events: cross-site WebSocket hijacking. */
async function startEvilSite(appPort: number): Promise<{ url: string; close(): Promise<void> }> {
  const html = `<!doctype html><title>evil</title><script>
    window.outcome = new Promise((resolve) => {
      const socket = new WebSocket("ws://127.0.0.1:${appPort}/ws/events", ["wf-events.v1"]);
      socket.onopen = () => resolve("opened");
      socket.onclose = (event) => resolve("closed " + event.code);
    });
  </script>`;
  const server: Server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(html));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

test("a page on another origin cannot open /ws/events (refused at the upgrade with 403)", async ({ page, app }) => {
  const evil = await startEvilSite(app.port);
  try {
    await page.goto(evil.url);
    expect(await page.evaluate(() => (window as unknown as { outcome: Promise<string> }).outcome)).toBe("closed 1006");
    // The refusal is the server's, not a network failure: it was logged with the origin.
    const refusal = await app.waitForRecord((record) => record.msg === "Refused a /ws/events upgrade");
    expect(refusal).toMatchObject({ status: 403, origin: evil.url.slice(0, -1) });
  } finally {
    await evil.close();
  }
});

test("the app's own pages open /ws/events", async ({ page }) => {
  await page.goto("/");
  expect(await page.evaluate(() => new window.wf.ext.events.EventManager().describe().then((result) => result.events.length > 0))).toBe(true);
});
