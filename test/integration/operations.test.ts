import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/test/support/app-server";
import { startTestRedis, type TestRedis } from "@/test/support/redis-server";
import { RawClient } from "@/test/support/transport-harness";
import { waitFor } from "@/test/support/wait-for";

const METRICS_TOKEN = "metrics-token-for-the-tests";

describe("health, readiness and metrics", () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer({ env: { EVENTS_METRICS_TOKEN: METRICS_TOKEN } });
  });
  afterAll(() => server?.stop());

  it("answers /healthz while the process is up", async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", uptimeSeconds: expect.any(Number) });
  });

  it("answers /readyz with every check", async () => {
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: "ready",
      instance: expect.any(String),
      checks: { next: { ok: true }, transport: { ok: true } },
    });
  });

  it("keeps /metrics closed to a scraper without the token", async () => {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: "Bearer wrong-token-of-some-length" } })).status).toBe(401);
  });

  it("counts triggers, deliveries and connections in Prometheus format", async () => {
    const client = await RawClient.open(`${server.url.replace("http", "ws")}/ws/events`);
    await client.op({ type: "subscribe", event: "model:created" });
    await fetch(`${server.url}/api/models`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ value: "counted" }) });
    await client.next((frame) => frame.type === "event");
    const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/^wf_events_triggers_total\{event="model:created",outcome="ok"\} [1-9]/m);
    expect(text).toMatch(/^wf_events_deliveries_total [1-9]/m);
    expect(text).toMatch(/^wf_events_connections [1-9]/m);
    expect(text).toMatch(/^wf_events_subscribers\{event="model:created"\} 1$/m);
    expect(text).toMatch(/^wf_events_adapter_up\{adapter="memory"\} 1$/m);
    expect(text).toMatch(/^wf_events_process_resident_memory_bytes /m);
    client.terminate();
  });

  it("counts refusals by reason", async () => {
    const badOrigin = await RawClient.open(`${server.url.replace("http", "ws")}/ws/events`, { origin: "https://evil.example" }).catch((error: Error) => error);
    expect(badOrigin).toBeInstanceOf(Error);
    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    expect(text).toMatch(/^wf_events_refusals_total\{reason="origin"\} [1-9]/m);
  });
});

describe("metrics in production without a token", () => {
  it("are closed with 403, saying how to open them", async () => {
    const server = await startAppServer();
    try {
      const response = await fetch(`${server.url}/metrics`);
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ error: { code: "forbidden", message: "Metrics are closed in production: set EVENTS_METRICS_TOKEN to open them" } });
    } finally {
      await server.stop();
    }
  });
});

describe("readiness with Redis", () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(() => redis?.stop());

  it("fails /readyz while Redis is lost, saying so, and recovers when it is back", async () => {
    const server = await startAppServer({ env: { EVENTS_REDIS_URL: redis.url, EVENTS_METRICS_TOKEN: METRICS_TOKEN } });
    try {
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      await redis.stop();
      const body = await waitFor(async () => {
        const response = await fetch(`${server.url}/readyz`);
        return response.status === 503 ? ((await response.json()) as { checks: Record<string, { ok: boolean; detail?: string }> }) : undefined;
      }, "/readyz to fail", 10_000);
      expect(body.checks.redis).toEqual({ ok: false, detail: "Redis is unreachable: this instance delivers only to its own connections" });
      const metrics = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
      expect(metrics).toMatch(/^wf_events_adapter_up\{adapter="redis"\} 0$/m);
      await redis.start();
      await waitFor(async () => (await fetch(`${server.url}/readyz`)).status === 200, "/readyz to recover", 15_000);
    } finally {
      await server.stop();
    }
  });

  it("refuses to start when Redis is unreachable, naming the URL and the way out", async () => {
    const attempt = startAppServer({ env: { EVENTS_REDIS_URL: "redis://127.0.0.1:1" }, timeoutMs: 20_000 });
    await expect(attempt).rejects.toThrow(/Startup error: Cannot reach Redis at redis:\/\/127\.0\.0\.1:1.*EVENTS_REDIS_STARTUP=degraded/);
  });
});
