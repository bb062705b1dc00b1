import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAppServer, type AppServer } from "../test/support/app-server";
import { startTestRedis, type TestRedis } from "../test/support/redis-server";
import { startTcpProxy } from "../test/support/tcp-proxy";
import { expect, test } from "./fixtures";
import { connectionState, gaps, listenOnPage, received } from "./page-events";

// Two app processes on different ports, one Redis (started by the test), one SQLite file.
const DASHBOARD_TOKEN = "cluster-dashboard-token-0123";
let redis: TestRedis;
let a: AppServer;
let b: AppServer;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  redis = await startTestRedis();
  const databasePath = join(mkdtempSync(join(tmpdir(), "wf-cluster-")), "app.db");
  // Only A answers report:summary (a "reports worker"); every instance may ask.
  [a, b] = await Promise.all([
    startAppServer({ databasePath, env: { EVENTS_REDIS_URL: redis.url, REPORTS_WORKER: "1", EVENTS_DASHBOARD_TOKEN: DASHBOARD_TOKEN } }),
    startAppServer({ databasePath, env: { EVENTS_REDIS_URL: redis.url, EVENTS_DASHBOARD_TOKEN: DASHBOARD_TOKEN } }),
  ]);
});

test.afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.stop();
});

async function addModel(server: AppServer, value: string): Promise<{ value: string }> {
  const response = await fetch(`${server.url}/api/models`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ value }) });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { model_id: number; value: string };
  return { value: body.value };
}

const values = async (page: import("@playwright/test").Page) => ((await received(page)) as { value: string }[]).map((model) => model.value);

test("a browser on instance B receives what a route on instance A triggered", async ({ page }) => {
  await page.goto(b.url);
  await listenOnPage(page, "model:created");
  await addModel(a, "made on A");
  await expect.poll(() => values(page)).toEqual(["made on A"]);
});

test("the dashboard on B shows both instances and the traffic triggered on A", async ({ page }) => {
  await page.goto(b.url);
  await page.getByLabel("Dashboard token").fill(DASHBOARD_TOKEN);
  await page.getByRole("button", { name: "Open the dashboard" }).click();
  const cluster = page.getByRole("region", { name: "Cluster" });
  await expect(cluster.getByTestId("cluster-state")).toHaveAttribute("data-state", "ready");
  await expect(cluster.locator("tr[data-instance]")).toHaveCount(2, { timeout: 15_000 });
  await expect(cluster).toContainText("(this one)");
  // Both answer model:count and health:check; only A also answers report:summary.
  await expect(cluster.locator("tr[data-instance]").filter({ hasText: "(this one)" })).toContainText("2 queries");
  await expect(cluster.locator("tr[data-instance]").filter({ hasNotText: "(this one)" })).toContainText("3 queries");
  // Instances learn of each other's dashboards on their next announcement (every 2 s):
  // from then on A shares its traces with B.
  const traffic = page.getByRole("region", { name: "Live traffic" });
  let attempt = 0;
  await expect(async () => {
    await addModel(a, `traced across instances ${++attempt}`);
    await expect(traffic).toContainText("traced across instances", { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
});

test("a query registered only on A answers a request made on B", async ({ page }) => {
  await page.goto(b.url);
  const summary = await page.evaluate(async () => {
    const manager = new window.wf.ext.events.EventManager();
    // The instances announce their queries every two seconds: retry until A is known.
    for (let attempt = 0; ; attempt++) {
      try {
        return await manager.request("report:summary", undefined, { timeout: 2_000 });
      } catch (error) {
        if (attempt > 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  });
  expect(summary).toMatchObject({ answeredBy: expect.any(String), models: expect.any(Number) });
  const instanceOfA = (await a.waitForRecord((record) => typeof record.instance === "string")).instance;
  expect((summary as { answeredBy: string }).answeredBy).toBe(instanceOfA);
});

test("a client that reconnects from A to B recovers every event it missed", async ({ page }) => {
  const balancer = await startTcpProxy(a.port);
  try {
    await page.goto(`http://127.0.0.1:${balancer.port}/`);
    await listenOnPage(page, "model:created");
    await addModel(a, "seen on A");
    await expect.poll(() => values(page)).toEqual(["seen on A"]);
    const firstInstance = await page.evaluate(() => window.probe.manager.stateDetail.instance);

    balancer.refuse(true);
    balancer.cut();
    await expect.poll(() => connectionState(page)).toBe("reconnecting");
    await addModel(a, "missed 1");
    await addModel(b, "missed 2");
    await addModel(a, "missed 3");
    balancer.retarget(b.port);
    balancer.refuse(false);

    await expect.poll(() => connectionState(page), { timeout: 15_000 }).toBe("connected");
    expect(await page.evaluate(() => window.probe.manager.stateDetail.instance)).not.toBe(firstInstance);
    await expect.poll(() => values(page)).toEqual(["seen on A", "missed 1", "missed 2", "missed 3"]);
    expect(await gaps(page)).toEqual([]);
  } finally {
    await balancer.close();
  }
});

test("when Redis dies and comes back, delivery resumes and the events it could not share are reported as a gap", async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto(b.url);
  await listenOnPage(page, "model:created");
  await addModel(a, "before the outage");
  await expect.poll(() => values(page)).toEqual(["before the outage"]);

  await redis.stop();
  await a.waitForRecord((record) => record.msg === "Redis is lost: delivering on this instance only until it is back", 15_000);
  await addModel(a, "during the outage"); // A's own browsers get it; B cannot
  await redis.start();
  await b.waitForRecord((record) => record.msg === "Redis is back: sharing events with the cluster again", 20_000);

  // Redis came back empty, a new history: whatever the old one acknowledged after the last event B
  // heard cannot be counted (missed: null); then A's count of what it could not share.
  await expect.poll(() => gaps(page), { timeout: 15_000 }).toEqual([
    { event: "model:created", missed: null, reason: "history" },
    { event: "model:created", missed: 1, reason: "history" },
  ]);
  await addModel(a, "after the outage");
  await expect.poll(() => values(page), { timeout: 10_000 }).toEqual(["before the outage", "after the outage"]);
});
