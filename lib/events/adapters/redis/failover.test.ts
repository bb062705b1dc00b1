// A Redis primary killed under two instances: real Sentinels, a real replica, real WebSocket clients.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "@/lib/events/core/logger";
import type { ServerFrame } from "@/lib/events/protocol";
import { startSentinelGroup, type SentinelGroup } from "@/test/support/sentinel-group";
import { startTransport, type Harness, type RawClient } from "@/test/support/transport-harness";
import { waitFor } from "@/test/support/wait-for";
import { RedisAdapter } from "./redis-adapter";

let group: SentinelGroup;
const instances: Harness[] = [];

beforeAll(async () => {
  group = await startSentinelGroup({ downAfterMs: 1_000 });
}, 30_000);
afterAll(async () => {
  for (const harness of instances) {
    await harness.close();
    await harness.bus.adapter.close();
  }
  await group?.stop();
});

async function instance(id: string): Promise<Harness> {
  const harness = await startTransport({}, { instance: id, historySize: 1_000 });
  const target = { sentinels: group.sentinels, masterName: group.masterName };
  harness.bus.useAdapter(await RedisAdapter.connect({ target, instance: id, historySize: 1_000, logger: silentLogger, connectTimeoutMs: 1_000 }));
  harness.bus.createSignal("model:created", { internal: false });
  await waitFor(() => harness.bus.adapter.state === "ready", `${id} to be ready on Redis`);
  instances.push(harness);
  return harness;
}

/** The payloads a client received, and whether it was told of a gap. */
function account(client: RawClient): { received: number[]; gaps: number; idsReused: string[] } {
  const byId = new Map<string, number>();
  const idsReused: string[] = [];
  const received: number[] = [];
  for (const frame of client.frames as (ServerFrame & { data?: { n: number }; id?: string })[]) {
    if (frame.type !== "event") continue;
    const n = frame.data!.n;
    received.push(n);
    const seen = byId.get(frame.id!);
    if (seen !== undefined && seen !== n) idsReused.push(frame.id!);
    byId.set(frame.id!, n);
  }
  return { received, gaps: client.ofType("gap").length, idsReused };
}

describe("a Redis primary that fails over under load", () => {
  it("follows the new primary, is degraded meanwhile, and leaves every client with every event or a gap", { timeout: 60_000 }, async () => {
    const a = await instance("a");
    const b = await instance("b");
    const clients = [await a.connect(), await a.connect(), await b.connect(), await b.connect()];
    for (const client of clients) expect(await client.op({ type: "subscribe", event: "model:created" })).toMatchObject({ type: "ok" });

    const states: string[] = [];
    const sampler = setInterval(() => {
      const now = `${a.bus.adapter.state}/${b.bus.adapter.state}`;
      if (states.at(-1) !== now) states.push(now);
    }, 10);
    const triggered: { n: number; id: string }[] = [];
    let n = 0;
    let running = true;
    let unreplicated: { n: number; id: string }[] = [];
    const load = (async () => {
      while (running) {
        const on = n % 2 === 0 ? a : b;
        const report = await on.bus.trigger("model:created", { n: ++n });
        triggered.push({ n, id: report.id });
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    })();
    try {
      await waitFor(() => triggered.length >= 30, "events before the kill", 10_000);
      const before = await group.currentPrimary();
      // The replica falls behind, the primary goes on acknowledging: those events exist on the primary alone.
      group.cutReplication();
      const cutAt = triggered.length;
      await waitFor(() => triggered.length >= cutAt + 15, "events acknowledged by the primary alone", 10_000);
      unreplicated = triggered.slice(cutAt + 1, cutAt + 15);
      await group.primary.stop(); // kill -9: what it acknowledged but had not replicated is gone
      await waitFor(() => a.bus.adapter.state === "degraded" && b.bus.adapter.state === "degraded", "both instances to report degraded", 10_000);
      await waitFor(async () => (await group.currentPrimary()) !== before, "the Sentinels to promote the replica", 30_000);
      await waitFor(() => a.bus.adapter.state === "ready" && b.bus.adapter.state === "ready", "both instances to follow the new primary", 20_000);
      expect(await group.currentPrimary()).toBe(`127.0.0.1:${group.replica.port}`);
      const readyAt = n;
      await waitFor(() => n >= readyAt + 30, "events after the failover", 10_000);
    } finally {
      running = false;
      clearInterval(sampler);
      await load;
    }
    expect(states[0]).toBe("ready/ready");
    expect(states).toContain("degraded/degraded");
    expect(states.at(-1)).toBe("ready/ready");

    // Events triggered once both follow the new primary reach every client, across instances.
    const lastEpoch = triggered.at(-1)!.id.replace(/-\d+$/, "");
    const after = triggered.filter((event) => event.id.startsWith(`${lastEpoch}-`)).map((event) => event.n);
    expect(after.length).toBeGreaterThanOrEqual(20);
    await waitFor(() => clients.every((client) => after.every((payload) => account(client).received.includes(payload))), "every client to get the events after the failover", 10_000);

    for (const client of clients) {
      const { received, gaps, idsReused } = account(client);
      const missing = triggered.filter((event) => !received.includes(event.n));
      // Nothing silently lost: a client that lacks an event was told of a gap.
      if (missing.length > 0) expect(gaps, `client missing ${missing.map((event) => event.n).join(",")} got no gap`).toBeGreaterThan(0);
      // No id given out twice (the new primary's sequence restarting where the replica stood).
      expect(idsReused).toEqual([]);
      // Each event at most once.
      expect(new Set(received).size).toBe(received.length);
    }
    // The new primary never had the events acknowledged by the old one alone: every client was told.
    for (const client of clients) expect(account(client).gaps).toBeGreaterThan(0);
    // A client resuming from one of those ids (reconnecting with `since`) is told too, not replayed from a reused id.
    const late = await b.connect();
    const lost = unreplicated.find((event) => !event.id.includes("~local"))!;
    expect(await late.op({ type: "subscribe", event: "model:created", since: lost.id })).toMatchObject({ type: "ok", recovered: false });
    expect(late.ofType("gap")).toEqual([{ type: "gap", event: "model:created", missed: null, reason: "history" }]);
  });
});
