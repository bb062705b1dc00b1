import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { startAppServer, type AppServer } from "../test/support/app-server";
import { selfSignedCertificate, startNginx, type Nginx } from "../test/support/nginx";
import { startTestRedis, type TestRedis } from "../test/support/redis-server";

// As deployed: nginx (deploy/nginx.conf, as shipped) terminates TLS with a certificate made here
// and balances two production instances that share one Redis and trust the proxy. The browser
// speaks only https:// and wss:// to nginx, and never learns the instances' addresses.
const DASHBOARD_TOKEN = "behind-proxy-dashboard-token";
let redis: TestRedis;
let instances: AppServer[] = [];
let nginx: Nginx;
let tlsDir: string;
let origin: string;

test.describe.configure({ mode: "serial" });
test.use({ ignoreHTTPSErrors: true });

test.beforeAll(async () => {
  test.setTimeout(90_000);
  tlsDir = mkdtempSync(join(tmpdir(), "wf-tls-"));
  const tls = selfSignedCertificate(tlsDir);
  redis = await startTestRedis();
  const databasePath = join(mkdtempSync(join(tmpdir(), "wf-proxy-")), "app.db");
  const env = { EVENTS_REDIS_URL: redis.url, EVENTS_DASHBOARD_TOKEN: DASHBOARD_TOKEN, EVENTS_TRUST_PROXY: "1" };
  instances = await Promise.all([startAppServer({ databasePath, env }), startAppServer({ databasePath, env })]);
  nginx = await startNginx([`127.0.0.1:${instances[0]!.port}`, `127.0.0.1:${instances[1]!.port}`], tls);
  // "localhost", not 127.0.0.1: the name a browser would use, which no instance was told about.
  origin = `https://localhost:${nginx.port}`;
});

test.afterAll(async () => {
  await nginx?.stop();
  await Promise.all(instances.map((instance) => instance.stop()));
  await redis?.stop();
  if (tlsDir) rmSync(tlsDir, { recursive: true, force: true });
});

async function addModel(request: APIRequestContext, value: string): Promise<void> {
  const response = await request.post(`${origin}/api/models`, { data: { value } });
  expect(response.status(), await response.text()).toBe(200);
}

const instanceIds = () => Promise.all(instances.map(async (instance) => String((await instance.waitForRecord((record) => typeof record.instance === "string")).instance)));

test("the shipped config passes the WebSocket upgrade and keeps idle sockets longer than the heartbeat", () => {
  expect(nginx.config).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
  expect(nginx.config).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
  const readTimeout = Number(/proxy_read_timeout (\d+)s;/.exec(nginx.config)?.[1]);
  expect(readTimeout * 1_000).toBeGreaterThan(30_000); // EVENTS_HEARTBEAT's default
  const directives = nginx.config.split("\n").filter((line) => !line.trim().startsWith("#"));
  expect(directives.filter((line) => line.includes("${WF_"))).toEqual([]);
});

test("/demo over https receives, over wss, a model created through the proxy", async ({ page }) => {
  const sockets: string[] = [];
  page.on("websocket", (socket) => sockets.push(socket.url()));
  await page.goto(`${origin}/demo`);
  await expect(page.getByTestId("demo-status")).toHaveText("live: subscribed to model:created");
  expect(sockets).toContain(`wss://localhost:${nginx.port}/ws/events`);
  await addModel(page.request, "made through nginx");
  await expect(page.getByRole("list", { name: "Models" })).toContainText("made through nginx");
});

test("the dashboard signs in through the proxy, with a Secure cookie, and shows traffic from both instances", async ({ page }) => {
  await page.goto(origin);
  await page.getByLabel("Dashboard token").fill(DASHBOARD_TOKEN);
  await page.getByRole("button", { name: "Open the dashboard" }).click();
  await expect(page.locator('[data-testid="connection-state"][data-monitor="active"]')).toHaveText("Connected");
  const [session] = (await page.context().cookies()).filter((cookie) => cookie.name === "wf_dashboard");
  expect(session).toMatchObject({ secure: true, httpOnly: true, sameSite: "Strict" });

  const cluster = page.getByRole("region", { name: "Cluster" });
  await expect(cluster.locator("tr[data-instance]")).toHaveCount(2, { timeout: 15_000 });

  // nginx spreads the posts over both instances; each traces its own trigger, and the dashboard
  // (connected to one of them) hears the other's through Redis once it announced itself.
  const traffic = page.getByRole("region", { name: "Live traffic" });
  const sources = (ids: string[]) => Promise.all(ids.map((id) => traffic.locator(`[title$="on instance ${id}"]`).count()));
  const ids = await instanceIds();
  let attempt = 0;
  await expect(async () => {
    await addModel(page.request, `spread ${++attempt}`);
    await addModel(page.request, `spread ${++attempt}`);
    expect((await sources(ids)).every((count) => count > 0)).toBe(true);
  }).toPass({ timeout: 20_000 });
});
