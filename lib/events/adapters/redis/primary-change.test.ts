import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EventBus } from "../../core/bus";
import { silentLogger } from "../../core/logger";
import { startTestRedis, type TestRedis } from "@/test/support/redis-server";
import { startSentinelGroup } from "@/test/support/sentinel-group";
import { startTcpProxy } from "@/test/support/tcp-proxy";
import { waitFor } from "@/test/support/wait-for";
import { RedisAdapter, RedisUnavailableError } from "./redis-adapter";
import { RedisRefusedError } from "./server-check";
import { DEFAULT_PREFIX } from "./wire";

let redis: TestRedis;
const buses: EventBus[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(() => redis?.stop());
afterEach(async () => {
  for (const bus of buses.splice(0)) await bus.adapter.close();
});

async function instance(id: string) {
  const bus = new EventBus({ logger: silentLogger, instance: id, historySize: 100 });
  bus.useAdapter(await RedisAdapter.connect({ url: redis.url, instance: id, historySize: 100, logger: silentLogger, connectTimeoutMs: 1_000 }));
  buses.push(bus);
  bus.createSignal("model:created", { internal: false });
  const delivered: string[] = [];
  let historyLost = 0;
  bus.attachSink({ deliver: (_name, eventId) => (delivered.push(eventId), 1), gap: () => {}, historyLost: () => historyLost++ });
  await waitFor(() => bus.adapter.state === "ready", "Redis to be ready");
  return { bus, delivered, historyLost: () => historyLost };
}

describe("a history bound to the Redis process that wrote it", () => {
  it("starts anew, never reusing an id, and tells every instance's subscribers of a gap, when another Redis process serves the keys", async () => {
    const a = await instance("a");
    const b = await instance("b");
    const before = [];
    for (let n = 1; n <= 3; n++) before.push((await a.bus.trigger("model:created", n)).id);
    await waitFor(() => b.delivered.length === 3, "B to get the first three");

    // What a failover looks like to the scripts: the keys (replicated) name a process that is not this one.
    const admin = new Redis(redis.url);
    try {
      await admin.set(`${DEFAULT_PREFIX}epoch-primary`, "0123456789abcdef0123456789abcdef01234567");
      const after = (await b.bus.trigger("model:created", 4)).id;
      const [oldEpoch, newEpoch] = [before[0]!.replace(/-\d+$/, ""), after.replace(/-\d+$/, "")];
      expect(newEpoch).not.toBe(oldEpoch);
      expect(after).toBe(`${newEpoch}-1`);
      // The old history is dropped, not relabelled: its stream would otherwise replay under new ids.
      expect(await admin.exists(`${DEFAULT_PREFIX}stream:model:created`)).toBe(1);
      expect(await admin.xlen(`${DEFAULT_PREFIX}stream:model:created`)).toBe(1);
      await waitFor(() => a.delivered.at(-1) === after && b.delivered.at(-1) === after, "both to get the new event");
      expect([a.historyLost(), b.historyLost()]).toEqual([1, 1]);

      // A browser resuming from an id of the old history is told it cannot be replayed.
      const replay = await a.bus.adapter.since("model:created", before[2]!);
      expect(replay).toMatchObject({ recovered: false, missed: null, last: after });
      expect(replay.events.map((event) => event.id)).toEqual([after]);
      // The same process again: the history stands.
      const next = (await a.bus.trigger("model:created", 5)).id;
      expect(next).toBe(`${newEpoch}-2`);
      expect([a.historyLost(), b.historyLost()]).toEqual([1, 1]);
    } finally {
      admin.disconnect();
    }
  });
});

describe("startup through Sentinel", () => {
  it("fails at once, naming the Sentinels and the keys, when none answers and the startup policy is require", async () => {
    const closed = { host: "127.0.0.1", port: 1 };
    const started = Date.now();
    const attempt = RedisAdapter.connect({ target: { sentinels: [closed], masterName: "main" }, instance: "s", historySize: 10, logger: silentLogger, connectTimeoutMs: 1_000 });
    await expect(attempt).rejects.toThrow(RedisUnavailableError);
    await expect(attempt).rejects.toThrow(/Cannot reach Redis at master "main" of Sentinels 127\.0\.0\.1:1 \(EVENTS_REDIS_SENTINELS, EVENTS_REDIS_MASTER_NAME\)/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("starts degraded when no Sentinel answers and the policy allows it, and joins once one does", { timeout: 30_000 }, async () => {
    const group = await startSentinelGroup();
    // The only Sentinel the instance knows is behind a link that is down at first.
    const link = await startTcpProxy(group.sentinels[0]!.port);
    link.refuse(true);
    try {
      const target = { sentinels: [{ host: "127.0.0.1", port: link.port }], masterName: group.masterName };
      const started = Date.now();
      const adapter = await RedisAdapter.connect({ target, instance: "late", historySize: 10, logger: silentLogger, startup: "degraded", connectTimeoutMs: 1_000 });
      try {
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(adapter.state).toBe("degraded");
        link.refuse(false);
        const bus = new EventBus({ logger: silentLogger, instance: "late", historySize: 10 });
        bus.useAdapter(adapter);
        await waitFor(() => adapter.state === "ready", "the adapter to join once a Sentinel answers", 15_000);
      } finally {
        await adapter.close();
      }
    } finally {
      await link.close();
      await group.stop();
    }
  });
});

describe("servers the adapter refuses", () => {
  it("refuses a replica given by URL, naming the key to change", async () => {
    const replica = await startTestRedis(["--replicaof", "127.0.0.1", String(redis.port)]);
    try {
      const attempt = RedisAdapter.connect({ url: replica.url, instance: "r", historySize: 10, logger: silentLogger, connectTimeoutMs: 1_000 });
      await expect(attempt).rejects.toThrow(RedisRefusedError);
      await expect(RedisAdapter.connect({ url: replica.url, instance: "r", historySize: 10, logger: silentLogger, startup: "degraded" })).rejects.toThrow(
        /is a replica \(read-only\): point EVENTS_REDIS_URL at the primary, or set EVENTS_REDIS_SENTINELS/,
      );
    } finally {
      await replica.stop();
    }
  });

  it("refuses a Redis Cluster node", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wf-cluster-"));
    const node = await startTestRedis(["--cluster-enabled", "yes", "--cluster-config-file", join(dir, "nodes.conf")]);
    try {
      await expect(RedisAdapter.connect({ url: node.url, instance: "c", historySize: 10, logger: silentLogger, connectTimeoutMs: 1_000 })).rejects.toThrow(
        /runs in cluster mode, which the events adapter does not support/,
      );
    } finally {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
