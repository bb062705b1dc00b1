import { startAppServer } from "../test/support/app-server";
import { startTcpProxy } from "../test/support/tcp-proxy";
import { expect, test } from "./fixtures";
import { connectionState, gaps, listenOnPage, received } from "./page-events";

async function addModel(baseUrl: string, value: string): Promise<{ id: number; value: string }> {
  const response = await fetch(`${baseUrl}/api/models`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ value }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { model_id: number; value: string };
  return { id: body.model_id, value: body.value };
}

test("every page has the injected client, and a subscribed handler sees what POST /api/models triggers", async ({ page, app }) => {
  await page.goto("/");
  expect(await page.evaluate(() => typeof window.wf.ext.events.EventManager)).toBe("function");
  await listenOnPage(page, "model:created");
  const model = await addModel(app.url, "from the browser test");
  await expect.poll(() => received(page)).toEqual([model]);
});

test("subscribing to an internal or unknown event rejects with the server's not_found", async ({ page }) => {
  await page.goto("/");
  const outcome = await page.evaluate(async () => {
    const manager = new window.wf.ext.events.EventManager();
    const attempt = async (name: string) => manager.subscribe(name).then(() => "subscribed", (error: Error & { code?: string }) => `${error.code}: ${error.message}`);
    return [await attempt("model:count"), await attempt("nope:nothing")];
  });
  expect(outcome).toEqual(['not_found: Unknown event "model:count"', 'not_found: Unknown event "nope:nothing"']);
});

test("after its socket is cut, the page reconnects by itself and its handler sees every model, in order, once", async ({ page, app }) => {
  const proxy = await startTcpProxy(app.port);
  try {
    await page.goto(`http://127.0.0.1:${proxy.port}/`);
    await listenOnPage(page, "model:created");
    const before = await addModel(app.url, "before the cut");
    await expect.poll(() => received(page)).toEqual([before]);

    proxy.refuse(true); // the network stays down while three models are added
    proxy.cut();
    await expect.poll(() => connectionState(page)).toBe("reconnecting");
    const missed = [await addModel(app.url, "one"), await addModel(app.url, "two"), await addModel(app.url, "three")];
    proxy.refuse(false);

    await expect.poll(() => connectionState(page), { timeout: 15_000 }).toBe("connected");
    await expect.poll(() => received(page)).toEqual([before, ...missed]);
    expect(await gaps(page)).toEqual([]);
    const after = await addModel(app.url, "after");
    await expect.poll(() => received(page)).toEqual([before, ...missed, after]);
  } finally {
    await proxy.close();
  }
});

test("after a server restart, the page reconnects by itself, is told recovery was impossible, and receives new events", async ({ page }) => {
  const first = await startAppServer();
  let second: Awaited<ReturnType<typeof startAppServer>> | undefined;
  try {
    await page.goto(first.url);
    await listenOnPage(page, "model:created");
    const before = await addModel(first.url, "before the restart");
    await expect.poll(() => received(page)).toEqual([before]);

    await first.stop();
    await expect.poll(() => connectionState(page)).not.toBe("connected");
    second = await startAppServer({ env: { PORT: String(first.port) } });

    await expect.poll(() => connectionState(page), { timeout: 20_000 }).toBe("connected");
    await expect.poll(() => gaps(page)).toEqual([{ event: "model:created", missed: null, reason: "history" }]);
    const after = await addModel(second.url, "after the restart");
    await expect.poll(() => received(page)).toEqual([before, after]);
  } finally {
    await first.stop();
    await second?.stop();
  }
});
