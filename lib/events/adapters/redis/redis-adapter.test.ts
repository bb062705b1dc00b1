import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EventBus } from "../../core/bus";
import { TimeoutError } from "../../shared/errors";
import { silentLogger } from "../../core/logger";
import type { TraceRecord } from "../../core/trace";
import { startTestRedis, type TestRedis } from "@/test/support/redis-server";
import { startTcpProxy } from "@/test/support/tcp-proxy";
import { deferred, waitFor } from "@/test/support/wait-for";
import { RedisAdapter } from "./redis-adapter";

let redis: TestRedis;
const buses: EventBus[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(() => redis?.stop());
afterEach(async () => {
  for (const bus of buses.splice(0)) await bus.adapter.close();
});

interface Instance {
  bus: EventBus;
  delivered: { name: string; id: string; json: string }[];
  gaps: { name: string; missed: number | null }[];
}

/** One app instance: a bus on the shared Redis, with the app's declarations, and a sink that records browser deliveries. */
async function instance(id: string, options: { historySize?: number; startup?: "require" | "degraded"; url?: string } = {}): Promise<Instance> {
  const bus = new EventBus({ logger: silentLogger, instance: id, historySize: options.historySize ?? 100 });
  bus.useAdapter(await RedisAdapter.connect({ url: options.url ?? redis.url, instance: id, historySize: options.historySize ?? 100, logger: silentLogger, startup: options.startup, connectTimeoutMs: 1_000 }));
  buses.push(bus);
  bus.createSignal("model:created", { internal: false });
  bus.createSignal("cache:cleared");
  const delivered: Instance["delivered"] = [];
  const gaps: Instance["gaps"] = [];
  bus.attachSink({ deliver: (name, eventId, json) => (delivered.push({ name, id: eventId, json }), 1), gap: (name, missed) => gaps.push({ name, missed }) });
  await waitFor(() => bus.adapter.state === "ready" || options.startup === "degraded", "Redis to be ready");
  return { bus, delivered, gaps };
}

describe("two instances on one Redis", () => {
  it("run server handlers only where triggered, and deliver to browsers everywhere, with the same id", async () => {
    const a = await instance("a");
    const b = await instance("b");
    const ranOn: string[] = [];
    a.bus.event("model:created", (_) => ranOn.push("a"));
    b.bus.event("model:created", (_) => ranOn.push("b"));
    const report = await a.bus.trigger("model:created", { id: 1 });
    expect(report.id).toMatch(/^r[0-9a-z]+-1$/);
    await waitFor(() => b.delivered.length === 1, "B's browsers to get the event");
    expect(b.delivered[0]).toEqual({ name: "model:created", id: report.id, json: '{"id":1}' });
    expect(a.delivered).toEqual([b.delivered[0]]);
    expect(ranOn).toEqual(["a"]);
  });

  it("deliver every event of a name in id order on each instance, its own and the other's interleaved", async () => {
    const a = await instance("a");
    const b = await instance("b");
    const per = 300;
    // Both trigger at once, in bursts: each instance's own events would otherwise overtake the other's still in flight.
    const burst = async (bus: EventBus) => {
      for (let i = 0; i < per; i += 30) await Promise.all(Array.from({ length: 30 }, (_, k) => bus.trigger("model:created", { n: i + k })));
    };
    await Promise.all([burst(a.bus), burst(b.bus)]);
    for (const side of [a, b]) {
      await waitFor(() => side.delivered.length === 2 * per, "every event on each instance", 10_000);
      const seqs = side.delivered.map((event) => Number(event.id.split("-").at(-1)));
      // Redis keeps its sequence across this file's tests: the run starts wherever it stood.
      expect(seqs).toEqual(Array.from({ length: 2 * per }, (_, index) => seqs[0]! + index));
    }
  });

  it("feed listen streams on every instance, internal events included, but never browsers with internal ones", async () => {
    const a = await instance("a");
    const b = await instance("b");
    const streamOnB = b.bus.listen("cache:cleared");
    await a.bus.trigger("cache:cleared", { keys: 3 });
    expect((await streamOnB.next()).value).toEqual({ keys: 3 });
    expect(b.delivered).toEqual([]);
  });

  it("keep one history: a client that saw an event on A recovers what followed from B", async () => {
    const a = await instance("a");
    const b = await instance("b");
    const first = await a.bus.trigger("model:created", 1);
    await a.bus.trigger("model:created", 2);
    await b.bus.trigger("model:created", 3);
    const replay = await b.bus.adapter.since("model:created", first.id);
    expect(replay.recovered).toBe(true);
    expect(replay.events.map((event) => event.json)).toEqual(["2", "3"]);
    expect(replay.last).toBe(replay.events[1]!.id);
  });

  it("count what the capped stream no longer holds", async () => {
    const a = await instance("a", { historySize: 2 });
    const first = await a.bus.trigger("model:created", 0);
    for (let n = 1; n <= 5; n++) await a.bus.trigger("model:created", n);
    const replay = await a.bus.adapter.since("model:created", first.id);
    expect(replay).toMatchObject({ recovered: false, missed: 3 });
    expect(replay.events.map((event) => event.json)).toEqual(["4", "5"]);
  });
});

describe("queries across instances", () => {
  it("answer a singleton request on the instance that has the handler", async () => {
    const a = await instance("a");
    const b = await instance("b");
    a.bus.query("model:count", (_) => 7);
    b.bus.createQuery("model:count");
    await waitFor(() => b.bus.adapter.peersAnswering("model:count").includes("a"), "B to learn that A answers model:count", 10_000);
    await expect(b.bus.request("model:count")).resolves.toBe(7);
  });

  it("collect a non-singleton request from every instance with handlers", async () => {
    const a = await instance("a");
    const b = await instance("b");
    a.bus.query("search", (term) => `a:${String(term)}`, { singleton: false });
    b.bus.query("search", (term) => `b:${String(term)}`, { singleton: false });
    await waitFor(() => b.bus.adapter.peersAnswering("search").includes("a"), "B to learn about A", 10_000);
    await expect(b.bus.request("search", "q")).resolves.toEqual(["b:q", "a:q"]);
  });

  it("say which instance did not answer in time", async () => {
    const a = await instance("a");
    const b = await instance("b");
    a.bus.query("search", async (_) => new Promise(() => {}), { singleton: false, key: "stuck" });
    b.bus.query("search", (_) => "b", { singleton: false });
    await waitFor(() => b.bus.adapter.peersAnswering("search").includes("a"), "B to learn about A", 10_000);
    const error = await b.bus.request("search", "q", { timeout: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(/missing answers: instance a: .*did not answer "search" within 200 ms/);
    const settled = await b.bus.requestSettled("search", "q", { timeout: 200 });
    expect(settled.map((outcome) => [outcome.handler, outcome.ok])).toEqual([
      ["handler #1", true],
      ["instance a", false],
    ]);
  });

  it("say in each span which instance answered, and where a peer did not", async () => {
    const a = await instance("a");
    const b = await instance("b");
    const c = await instance("c");
    a.bus.query("search", async function answersOnA(term) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return `a:${String(term)}`;
    }, { singleton: false });
    b.bus.query("search", function answersOnB(term) {
      return `b:${String(term)}`;
    }, { singleton: false });
    c.bus.query("search", async (_) => new Promise(() => {}), { singleton: false, key: "stuck" });
    const records: TraceRecord[] = [];
    b.bus.observe((record) => records.push(record));
    await waitFor(() => ["a", "c"].every((peer) => b.bus.adapter.peersAnswering("search").includes(peer)), "B to learn about A and C", 10_000);
    await b.bus.requestSettled("search", "q", { timeout: 300 });
    const spans = records[0]!.spans;
    expect(spans.map((span) => [span.handler, span.instance, span.outcome, span.value ?? span.code])).toEqual([
      ["answersOnB", "b", "ok", "b:q"],
      ["answersOnA", "a", "ok", "a:q"],
      ["instance c", "c", "error", "timeout"],
    ]);
    const onA = spans[1]!;
    expect(onA.source).toMatch(/redis-adapter\.test\.ts:\d+$/);
    expect(onA.durationMs).toBeGreaterThanOrEqual(15);
    expect(onA.startMs).toBeGreaterThanOrEqual(0);
    expect(spans[2]!.durationMs).toBeGreaterThanOrEqual(250);
  });

  it("list the cluster's instances with the queries they answer", async () => {
    const a = await instance("a");
    const b = await instance("b");
    a.bus.query("model:count", (_) => 1);
    await waitFor(() => b.bus.adapter.instances().some((info) => info.id === "a" && info.queries["model:count"] === 1), "the registry to show A", 10_000);
    expect(b.bus.adapter.instances().map((info) => info.id)).toEqual(["b", "a"]);
  });
});

describe("presence across instances", () => {
  it("shows each instance's members on the other, with their joins and leaves", async () => {
    const a = await instance("a");
    const b = await instance("b");
    for (const side of [a, b]) side.bus.createSignal("room:lobby", { internal: false, presence: true });
    const heardOnB: string[] = [];
    b.bus.onPresence((name, change, member) => heardOnB.push(`${change} ${member.connection}`));
    a.bus.presenceJoin("room:lobby", { connection: "conn-a1", info: { name: "Ada" } });
    b.bus.presenceJoin("room:lobby", { connection: "conn-b1" });
    await waitFor(() => b.bus.presence("room:lobby").count === 2, "A's member on B");
    expect(b.bus.presence("room:lobby").members).toEqual([{ connection: "conn-b1" }, { connection: "conn-a1", info: { name: "Ada" } }]);
    await waitFor(() => a.bus.presence("room:lobby").count === 2, "B's member on A");
    a.bus.presenceLeave("room:lobby", "conn-a1");
    await waitFor(() => b.bus.presence("room:lobby").count === 1, "A's member gone on B");
    // B's own join is heard at once; A's come through Redis, join before leave.
    expect(heardOnB.filter((line) => line.endsWith("conn-a1"))).toEqual(["join conn-a1", "leave conn-a1"]);
    expect(heardOnB).toContain("join conn-b1");
  });

  it("lets the members of an instance that died leave, once its registry entry expires", async () => {
    const proxy = await startTcpProxy(redis.port);
    try {
      const a = await instance("a", { url: `redis://127.0.0.1:${proxy.port}` });
      const b = await instance("b");
      for (const side of [a, b]) side.bus.createSignal("room:lobby", { internal: false, presence: true });
      const heardOnB: string[] = [];
      b.bus.onPresence((_name, change, member) => heardOnB.push(`${change} ${member.connection}`));
      a.bus.presenceJoin("room:lobby", { connection: "conn-a1" });
      await waitFor(() => b.bus.presence("room:lobby").count === 1, "A's member on B");
      // A loses Redis for good, as a crashed process would: its entry is never renewed.
      proxy.refuse(true);
      proxy.cut();
      await waitFor(() => b.bus.presence("room:lobby").count === 0, "A's members to leave", 15_000);
      expect(heardOnB).toEqual(["join conn-a1", "leave conn-a1"]);
    } finally {
      await proxy.close();
    }
  }, 30_000);

  it("loads the members already there when an instance joins", async () => {
    const a = await instance("a");
    a.bus.createSignal("room:lobby", { internal: false, presence: true });
    a.bus.presenceJoin("room:lobby", { connection: "early", info: { n: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const b = await instance("b");
    b.bus.createSignal("room:lobby", { internal: false, presence: true });
    await waitFor(() => b.bus.presence("room:lobby").count === 1, "the member that was there before B", 10_000);
    expect(b.bus.presence("room:lobby").members).toEqual([{ connection: "early", info: { n: 1 } }]);
  });
});

describe("traces across instances", () => {
  it("reach a monitor on another instance", async () => {
    const a = await instance("a");
    const b = await instance("b");
    const seen = deferred<TraceRecord & { instance?: string }>();
    b.bus.observe((record) => record.name === "model:created" && seen.resolve(record));
    await waitFor(() => a.bus.adapter.wantsTraces, "A to learn that B monitors", 10_000);
    await a.bus.trigger("model:created", { id: 9 });
    expect(await seen.promise).toMatchObject({ kind: "trigger", name: "model:created", instance: "a", data: { id: 9 } });
  });
});

describe("faults", () => {
  it("refuse to start when Redis is unreachable, naming the URL and the way out", async () => {
    const attempt = RedisAdapter.connect({ url: "redis://127.0.0.1:1", instance: "x", historySize: 10, logger: silentLogger, connectTimeoutMs: 500 });
    await expect(attempt).rejects.toThrow(/Cannot reach Redis at redis:\/\/127\.0\.0\.1:1.* \(EVENTS_REDIS_URL\).*EVENTS_REDIS_STARTUP=degraded/);
  });

  it("keep local delivery through an outage, report what could not be shared as a gap, and resume", async () => {
    const a = await instance("a");
    const b = await instance("b");
    await a.bus.trigger("model:created", "before");
    await waitFor(() => b.delivered.length === 1, "B to get the first event");

    await redis.stop();
    await waitFor(() => a.bus.adapter.state === "degraded" && b.bus.adapter.state === "degraded", "both to notice");
    const during = await a.bus.trigger("model:created", "during");
    expect(during.delivered).toBe(1); // A's own browsers still get it
    expect(a.delivered.at(-1)).toMatchObject({ json: '"during"' });

    await redis.start();
    await waitFor(() => a.bus.adapter.state === "ready" && b.bus.adapter.state === "ready", "both to reconnect", 15_000);
    await waitFor(() => b.gaps.length > 0, "B to be told what it missed", 10_000);
    expect(b.gaps).toEqual([{ name: "model:created", missed: 1 }]);

    await a.bus.trigger("model:created", "after");
    await waitFor(() => b.delivered.some((event) => event.json === '"after"'), "delivery to resume", 10_000);
    expect(b.delivered.map((event) => event.json)).toEqual(['"before"', '"after"']);
  });

  it("start degraded when configured, and join the cluster once Redis answers", async () => {
    await redis.stop();
    const a = await instance("a", { startup: "degraded" });
    expect(a.bus.adapter.state).toBe("degraded");
    await expect(a.bus.trigger("model:created", "alone")).resolves.toMatchObject({ delivered: 1 });
    await redis.start();
    await waitFor(() => a.bus.adapter.state === "ready", "A to join", 15_000);
    const b = await instance("b");
    await a.bus.trigger("model:created", "together");
    await waitFor(() => b.delivered.length === 1, "B to get A's event");
  });

  it("fetch from the stream what a subscriber missed while its connection was down", async () => {
    const a = await instance("a");
    const b = await instance("b");
    await a.bus.trigger("model:created", 1);
    await waitFor(() => b.delivered.length === 1, "B to get the first event");
    // Cut every pub/sub connection: B's (and A's) subscriber reconnects and catches up.
    const killer = new (await import("ioredis")).Redis(redis.url);
    await killer.call("CLIENT", "KILL", "TYPE", "pubsub");
    await a.bus.trigger("model:created", 2).catch(() => {});
    await killer.quit();
    await waitFor(() => b.bus.adapter.state === "ready", "B to reconnect", 10_000);
    await a.bus.trigger("model:created", 3);
    await waitFor(() => b.delivered.length === 3, "B to have every event", 10_000);
    expect(b.delivered.map((event) => event.json)).toEqual(["1", "2", "3"]);
  });

  it("deliver each event once when a catch-up and the live message race", async () => {
    const a = await instance("a");
    const b = await instance("b");
    const killer = new (await import("ioredis")).Redis(redis.url);
    for (let round = 0; round < 5; round++) {
      await killer.call("CLIENT", "KILL", "TYPE", "pubsub");
      // Triggered while B's subscriber reconnects: B hears some live and fetches the rest, maybe both.
      for (let n = 0; n < 5; n++) await a.bus.trigger("model:created", round * 5 + n);
      await new Promise((resolve) => setTimeout(resolve, 30 * round));
    }
    await killer.quit();
    await waitFor(() => b.bus.adapter.state === "ready", "B to reconnect", 10_000);
    await a.bus.trigger("model:created", "last");
    await waitFor(() => b.delivered.at(-1)?.json === '"last"', "B to get the last event", 10_000);
    const ids = b.delivered.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(a.delivered.map((event) => event.id));
    expect(b.gaps).toEqual([]);
  });

  it("tell an instance that rejoins after Redis lost its data about everything it missed, even announcements made before it was back", async () => {
    const proxy = await startTcpProxy(redis.port);
    try {
      const a = await instance("a");
      const b = await instance("b", { url: `redis://127.0.0.1:${proxy.port}` });
      await a.bus.trigger("model:created", 0);
      await waitFor(() => b.delivered.length === 1, "B to get the first event");

      await redis.stop(); // it keeps nothing on disk: it comes back empty, with a new history
      await waitFor(() => a.bus.adapter.state === "degraded" && b.bus.adapter.state === "degraded", "both to notice");
      for (let n = 1; n <= 3; n++) await a.bus.trigger("model:created", n); // reach A's browsers only

      proxy.refuse(true);
      proxy.cut();
      await redis.start();
      await waitFor(() => a.bus.adapter.state === "ready", "A to rejoin first", 15_000);
      const early = [await a.bus.trigger("model:created", 4), await a.bus.trigger("model:created", 5)];

      proxy.refuse(false);
      await waitFor(() => b.bus.adapter.state === "ready", "B to rejoin", 15_000);
      const last = await a.bus.trigger("model:created", 6);
      await waitFor(() => b.delivered.at(-1)?.id === last.id, "B to get the last event", 10_000);
      expect(b.delivered.slice(1).map((event) => event.id)).toEqual([...early.map((report) => report.id), last.id]);
      expect(b.gaps).toEqual([{ name: "model:created", missed: 3 }]);
      // A browser that catches up across the announced hole is told about it as well.
      const replay = await b.bus.adapter.since("model:created", early[0]!.id.replace(/-\d+$/, "-0"));
      expect(replay).toMatchObject({ recovered: false, missed: 3 });
      expect(replay.events.map((event) => event.json)).toEqual(["4", "5", "6"]);
    } finally {
      await proxy.close();
    }
  });
});
