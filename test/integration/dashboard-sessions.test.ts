import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloseCode } from "@/lib/events/protocol";
import { startAppServer, type AppServer } from "@/test/support/app-server";
import { startTestRedis, type TestRedis } from "@/test/support/redis-server";
import { RawClient } from "@/test/support/transport-harness";

const DASHBOARD_TOKEN = "dashboard-token-for-the-tests";

/** Signs in from `address` (a loopback address of its own, so that throttling tests stay apart). */
async function signIn(server: AppServer, token = DASHBOARD_TOKEN, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/api/dashboard/session`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.url, ...headers },
    body: JSON.stringify({ token }),
  });
}

function cookieOf(response: Response): string {
  const setCookie = response.headers.get("set-cookie") ?? "";
  return setCookie.split(";")[0]!;
}

async function monitorToken(server: AppServer, cookie: string): Promise<Response> {
  return fetch(`${server.url}/api/events/monitor-token`, { headers: { cookie } });
}

describe("dashboard sessions in production", () => {
  let server: AppServer;
  const env = { EVENTS_DASHBOARD_TOKEN: DASHBOARD_TOKEN };
  beforeAll(async () => {
    server = await startAppServer({ env });
  });
  afterAll(() => server?.stop());

  it("end on the server at sign-out: a copy of the cookie no longer gets a monitor token", async () => {
    const response = await signIn(server);
    expect(response.status).toBe(200);
    const cookie = cookieOf(response);
    expect((await monitorToken(server, cookie)).status).toBe(200);
    const copy = cookie;
    const signOut = await fetch(`${server.url}/api/dashboard/session`, { method: "DELETE", headers: { cookie, origin: server.url } });
    expect(signOut.status).toBe(200);
    const refused = await monitorToken(server, copy);
    expect(refused.status).toBe(401);
    expect(await (await fetch(server.url, { headers: { cookie: copy } })).text()).toContain("Sign in to the dashboard");
  });

  it("close the session's monitor connection at sign-out with 4401, and refuse its token afterwards", async () => {
    const cookie = cookieOf(await signIn(server));
    const { token } = (await (await monitorToken(server, cookie)).json()) as { token: string };
    const monitor = await RawClient.open(`${server.url.replace("http", "ws")}/ws/events`);
    expect(await monitor.op({ type: "monitor", token })).toMatchObject({ type: "ok" });
    await fetch(`${server.url}/api/dashboard/session`, { method: "DELETE", headers: { cookie, origin: server.url } });
    expect(await monitor.closed()).toBe(CloseCode.MonitorSessionEnded);
    const again = await RawClient.open(`${server.url.replace("http", "ws")}/ws/events`);
    expect(await again.op({ type: "monitor", token })).toMatchObject({ code: "unauthorized" });
    again.terminate();
  });

  it("make an address wait, with 429 and Retry-After, after a few wrong tokens, even for the right one, whatever header it forges", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await signIn(server, "a-wrong-token-guess-0000")).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    const locked = await signIn(server, DASHBOARD_TOKEN, { "x-webfluid-client-address": "203.0.113.9", "x-forwarded-for": "203.0.113.9" });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await locked.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
  });

  it("end at a restart without Redis: the cookie of before is not honoured after", async () => {
    // A fresh server on its own (the throttled address above does not matter to it).
    const other = await startAppServer({ env });
    try {
      const cookie = cookieOf(await signIn(other));
      expect((await monitorToken(other, cookie)).status).toBe(200);
      await other.stop();
      const restarted = await startAppServer({ env, databasePath: undefined });
      try {
        expect((await monitorToken(restarted, cookie)).status).toBe(401);
      } finally {
        await restarted.stop();
      }
    } finally {
      await other.stop();
    }
  });
});

describe("dashboard sessions on Redis", () => {
  let redis: TestRedis;
  let a: AppServer;
  let b: AppServer;
  const env = () => ({ EVENTS_DASHBOARD_TOKEN: DASHBOARD_TOKEN, EVENTS_REDIS_URL: redis.url });
  beforeAll(async () => {
    redis = await startTestRedis();
    [a, b] = await Promise.all([startAppServer({ env: env() }), startAppServer({ env: env() })]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it("are shared: signed in on one instance, honoured on the other, and a sign-out on either ends them everywhere", async () => {
    const cookie = cookieOf(await signIn(a));
    expect((await monitorToken(b, cookie)).status).toBe(200);
    await fetch(`${b.url}/api/dashboard/session`, { method: "DELETE", headers: { cookie, origin: b.url } });
    expect((await monitorToken(a, cookie)).status).toBe(401);
  });

  it("survive an instance's restart", async () => {
    const cookie = cookieOf(await signIn(a));
    const port = a.port;
    await a.stop();
    a = await startAppServer({ env: { ...env(), PORT: String(port) } });
    expect((await monitorToken(a, cookie)).status).toBe(200);
  });
});
