import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/test/support/app-server";
import { RawClient } from "@/test/support/transport-harness";

const DASHBOARD_TOKEN = "token-route-dashboard-token";

function exchange(server: AppServer, authorization?: string, path = "/api/events/token"): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: "POST", headers: authorization === undefined ? {} : { authorization } });
}

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

describe("POST /api/events/token in production", () => {
  let server: AppServer;
  let closed: AppServer;
  beforeAll(async () => {
    [server, closed] = await Promise.all([startAppServer({ env: { EVENTS_DASHBOARD_TOKEN: DASHBOARD_TOKEN } }), startAppServer()]);
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), closed?.stop()]);
  });

  it("exchanges the dashboard token for a monitor token of 5 minutes that a monitor op accepts, never cached", async () => {
    const before = Date.now();
    const response = await exchange(server, `Bearer ${DASHBOARD_TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const { token, expiresAt } = (await response.json()) as { token: string; expiresAt: number };
    expect(expiresAt - before).toBeGreaterThan(4.9 * 60_000);
    expect(expiresAt - before).toBeLessThanOrEqual(5 * 60_000 + 5_000);
    const monitor = await RawClient.open(`${server.url.replace("http", "ws")}/ws/events`);
    try {
      expect(await monitor.op({ type: "monitor", token })).toMatchObject({ type: "ok", expiresAt: expect.any(Number) });
      expect(await monitor.op({ type: "trigger", event: "cache:warmed", data: { region: "eu-west", keys: 1 } })).toMatchObject({ type: "ok", handlers: 1 });
    } finally {
      monitor.terminate();
    }
  });

  it("asks for the token with 401 when none is sent, without counting it as a wrong guess", async () => {
    for (let i = 0; i < 8; i++) {
      const response = await exchange(server, i % 2 ? "Basic YTpi" : undefined);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);
      expect((await errorOf(response)).message).toBe("Send the dashboard token: Authorization: Bearer <EVENTS_DASHBOARD_TOKEN>");
    }
    expect((await exchange(server, `Bearer ${DASHBOARD_TOKEN}`)).status).toBe(200);
  });

  it("refuses any query string with 400, the right token included, saying why", async () => {
    for (const path of [`/api/events/token?token=${DASHBOARD_TOKEN}`, "/api/events/token?x=1"]) {
      const response = await exchange(server, `Bearer ${DASHBOARD_TOKEN}`, path);
      expect(response.status).toBe(400);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(await errorOf(response)).toEqual({ code: "bad_request", message: expect.stringMatching(/reads nothing from the URL: send the dashboard token as `Authorization: Bearer <token>`/) });
    }
  });

  it("takes POST only", async () => {
    expect((await fetch(`${server.url}/api/events/token`, { headers: { authorization: `Bearer ${DASHBOARD_TOKEN}` } })).status).toBe(405);
  });

  it("is closed (403) while the server has no EVENTS_DASHBOARD_TOKEN", async () => {
    const response = await exchange(closed, "Bearer anything-at-all-000");
    expect(response.status).toBe(403);
    expect(await errorOf(response)).toEqual({ code: "forbidden", message: "The dashboard is closed: set EVENTS_DASHBOARD_TOKEN" });
  });

  // Last: it leaves this test process's address waiting, on this server.
  it("throttles wrong tokens per address like the sign-in, in the same budget: 401s, then 429 with Retry-After, even for the right token", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await exchange(server, "Bearer a-wrong-guess-0000")).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const locked = await exchange(server, `Bearer ${DASHBOARD_TOKEN}`);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await errorOf(locked)).code).toBe("rate_limited");
    // The dashboard's sign-in shares the budget: guessing here cannot buy guesses there.
    const signIn = await fetch(`${server.url}/api/dashboard/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ token: DASHBOARD_TOKEN }),
    });
    expect(signIn.status).toBe(429);
  });
});
