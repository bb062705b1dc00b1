// The production server reaching Redis through Sentinel, as `EVENTS_REDIS_SENTINELS` says.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/test/support/app-server";
import { startSentinelGroup, type SentinelGroup } from "@/test/support/sentinel-group";
import { waitFor } from "@/test/support/wait-for";

let group: SentinelGroup;
const servers: AppServer[] = [];

beforeAll(async () => {
  group = await startSentinelGroup();
});
afterAll(async () => {
  for (const server of servers) await server.stop();
  await group?.stop();
});

const sentinelEnv = () => ({ EVENTS_REDIS_SENTINELS: group.sentinels.map(({ host, port }) => `${host}:${port}`).join(","), EVENTS_REDIS_MASTER_NAME: group.masterName });

describe("the server on Redis through Sentinel", () => {
  it("finds the primary through the Sentinels and is ready", async () => {
    const server = await startAppServer({ env: sentinelEnv(), timeoutMs: 60_000 });
    servers.push(server);
    const ready = await waitFor(async () => {
      const response = await fetch(`${server.url}/readyz`);
      return response.status === 200 ? ((await response.json()) as { checks: Record<string, { ok: boolean }> }) : undefined;
    }, "/readyz to answer 200", 15_000);
    expect(ready.checks.redis).toMatchObject({ ok: true });
  });

  it("refuses to start on a replica given as EVENTS_REDIS_URL, saying what to set instead", async () => {
    const attempt = startAppServer({ env: { EVENTS_REDIS_URL: `redis://127.0.0.1:${group.replica.port}` }, timeoutMs: 30_000 });
    await expect(attempt).rejects.toThrow(/Startup error: Redis at redis:\/\/127\.0\.0\.1:\d+\/? \(EVENTS_REDIS_URL\) is a replica \(read-only\)/);
  });

  it("starts degraded when no Sentinel answers and EVENTS_REDIS_STARTUP=degraded", async () => {
    const server = await startAppServer({ env: { EVENTS_REDIS_SENTINELS: "127.0.0.1:1", EVENTS_REDIS_MASTER_NAME: group.masterName, EVENTS_REDIS_STARTUP: "degraded" }, timeoutMs: 40_000 });
    servers.push(server);
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ checks: { redis: { ok: false } } });
  });

  it("refuses a master name without Sentinels, naming both keys", async () => {
    const attempt = startAppServer({ env: { EVENTS_REDIS_MASTER_NAME: group.masterName }, timeoutMs: 30_000 });
    await expect(attempt).rejects.toThrow(/Configuration error: EVENTS_REDIS_MASTER_NAME is set without EVENTS_REDIS_SENTINELS/);
  });
});
