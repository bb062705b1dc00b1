import { afterEach, describe, expect, it } from "vitest";
import type { BusAdapter, MemoryAdapter, ReplayFrom } from "@/lib/events/core/adapter";
import type { EventFrame } from "@/lib/events/protocol";
import { deferred } from "@/test/support/wait-for";
import { startTransport, type Harness } from "@/test/support/transport-harness";

let harness: Harness;
afterEach(() => harness?.close());

async function setup(historySize = 100) {
  harness = await startTransport({}, { historySize });
  harness.bus.createSignal("model:created", { internal: false });
  const client = await harness.connect();
  await client.op({ type: "subscribe", event: "model:created" });
  return client;
}

const eventsOf = (frames: { type: string }[]) => frames.filter((frame): frame is EventFrame => frame.type === "event");

describe("recovery with since", () => {
  it("replays, in order and once, every event missed while disconnected, then goes live", async () => {
    const client = await setup();
    await harness.bus.trigger("model:created", { n: 1 });
    const seen = (await client.next((frame) => frame.type === "event")) as EventFrame;
    client.terminate();

    for (const n of [2, 3, 4]) await harness.bus.trigger("model:created", { n });
    const back = await harness.connect();
    const reply = await back.op({ type: "subscribe", event: "model:created", since: seen.id });
    expect(reply).toMatchObject({ type: "ok", recovered: true });
    await back.next(() => eventsOf(back.frames).length === 3);
    await harness.bus.trigger("model:created", { n: 5 });
    await back.next(() => eventsOf(back.frames).length === 4);

    expect(eventsOf(back.frames).map((frame) => frame.data)).toEqual([{ n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }]);
    expect(back.ofType("gap")).toEqual([]);
    // ok first, then the replay: the order the protocol promises
    const order = back.frames.filter((frame) => frame.type !== "welcome").map((frame) => frame.type);
    expect(order).toEqual(["ok", "event", "event", "event", "event"]);
  });

  it("answers recovered: true with nothing to replay when nothing was missed", async () => {
    const client = await setup();
    const { id } = await harness.bus.trigger("model:created", 1);
    expect(await client.op({ type: "subscribe", event: "model:created", since: id })).toMatchObject({ recovered: true, last: id });
  });

  it("sends a history gap and recovered: false when missed events were evicted, then replays what it has", async () => {
    const client = await setup(3);
    const { id } = await harness.bus.trigger("model:created", 0);
    client.terminate();
    for (let n = 1; n <= 5; n++) await harness.bus.trigger("model:created", n);
    const back = await harness.connect();
    expect(await back.op({ type: "subscribe", event: "model:created", since: id })).toMatchObject({ recovered: false });
    await back.next(() => eventsOf(back.frames).length === 3);
    expect(back.ofType("gap")).toEqual([{ type: "gap", event: "model:created", missed: 2, reason: "history" }]);
    expect(eventsOf(back.frames).map((frame) => frame.data)).toEqual([3, 4, 5]);
    expect(harness.transport.counters.recoveries).toEqual({ recovered: 0, unrecovered: 1 });
    expect(harness.transport.counters.gaps.history).toBe(1);
  });

  it("answers recovered: false with an unknown count for an id of another history (a restarted server)", async () => {
    await setup();
    await harness.bus.trigger("model:created", "after restart");
    const back = await harness.connect();
    expect(await back.op({ type: "subscribe", event: "model:created", since: "0badc0de-17" })).toMatchObject({ recovered: false });
    expect(await back.next((frame) => frame.type === "gap")).toEqual({ type: "gap", event: "model:created", missed: null, reason: "history" });
    expect(await back.next((frame) => frame.type === "event")).toMatchObject({ data: "after restart" });
  });
});

describe("a replay that takes time (history in Redis)", () => {
  it("holds live events back until the replay is written, then delivers them once, in order", async () => {
    const client = await setup();
    const first = await harness.bus.trigger("model:created", 1);
    await client.next((frame) => frame.type === "event");
    client.terminate();
    await harness.bus.trigger("model:created", 2);
    await harness.bus.trigger("model:created", 3);

    const memory = harness.bus.adapter as MemoryAdapter;
    const fetching = deferred();
    const gate = deferred();
    const slow: BusAdapter = {
      kind: memory.kind,
      get state() { return memory.state; },
      get epoch() { return memory.epoch; },
      wantsTraces: false,
      publish: (name, json, internal) => memory.publish(name, json, internal),
      deliverInOrder: (name, id, deliver) => memory.deliverInOrder(name, id, deliver),
      sharePresence: () => {},
      remotePresence: () => [],
      async since(name, since): Promise<ReplayFrom> {
        const replay = memory.since(name, since);
        fetching.resolve();
        await gate.promise;
        return replay;
      },
      peersAnswering: () => [],
      askPeers: () => Promise.resolve([]),
      shareTrace: () => {},
      instances: () => [],
      attach: () => {},
      close: () => Promise.resolve(),
    };
    harness.bus.useAdapter(slow);

    const back = await harness.connect();
    back.send({ type: "subscribe", ref: "s", event: "model:created", since: first.id });
    await fetching.promise;
    await harness.bus.trigger("model:created", 4); // live, while the replay is still being fetched
    gate.resolve();

    await back.next(() => eventsOf(back.frames).length === 3);
    await back.op({ type: "ping" });
    expect(eventsOf(back.frames).map((frame) => frame.data)).toEqual([2, 3, 4]);
    const order = back.frames.filter((frame) => frame.type !== "welcome").map((frame) => frame.type);
    expect(order.slice(0, 4)).toEqual(["ok", "event", "event", "event"]);
  });
});

describe("subscribing again to a name the connection holds (history in Redis)", () => {
  it("delivers the events published while the answer was read, though its last already counts them", async () => {
    const client = await setup();
    await harness.bus.trigger("model:created", 1);
    await client.next((frame) => frame.type === "event");

    // As on Redis: the read of `last` happens after an event was published and delivered here.
    const memory = harness.bus.adapter as MemoryAdapter;
    const fetching = deferred();
    const gate = deferred();
    const slow: BusAdapter = {
      kind: memory.kind,
      get state() { return memory.state; },
      get epoch() { return memory.epoch; },
      wantsTraces: false,
      publish: (name, json, internal) => memory.publish(name, json, internal),
      deliverInOrder: (name, id, deliver) => memory.deliverInOrder(name, id, deliver),
      sharePresence: () => {},
      remotePresence: () => [],
      async since(name, since): Promise<ReplayFrom> {
        fetching.resolve();
        await gate.promise;
        return memory.since(name, since);
      },
      peersAnswering: () => [],
      askPeers: () => Promise.resolve([]),
      shareTrace: () => {},
      instances: () => [],
      attach: () => {},
      close: () => Promise.resolve(),
    };
    harness.bus.useAdapter(slow);

    client.send({ type: "subscribe", ref: "again", event: "model:created" });
    await fetching.promise;
    const during = await harness.bus.trigger("model:created", 2);
    gate.resolve();

    const reply = await client.next((frame) => frame.type === "ok" && (frame as { ref?: unknown }).ref === "again");
    expect(reply).toMatchObject({ last: during.id });
    await client.op({ type: "ping" });
    expect(eventsOf(client.frames).map((frame) => frame.data)).toEqual([1, 2]);
  });
});
