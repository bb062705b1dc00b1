import { afterEach, describe, expect, it } from "vitest";
import type { EventFrame } from "@/lib/events/protocol";
import { deferred } from "@/test/support/wait-for";
import { createMonitorToken } from "@/lib/events/server";
import { startTransport, TEST_SECRET, type Harness, type RawClient } from "@/test/support/transport-harness";

let harness: Harness;
afterEach(() => harness?.close());

const eventsOf = (client: RawClient) => client.frames.filter((frame): frame is EventFrame => frame.type === "event");

/** A transport with public model:* events, an internal one, and others. */
async function setup(historySize = 100) {
  harness = await startTransport({}, { historySize });
  harness.bus.createSignal("model:created", { internal: false });
  harness.bus.createSignal("model:deleted", { internal: false });
  harness.bus.createSignal("model:audit", { internal: true });
  harness.bus.createSignal("order:placed", { internal: false });
  return harness;
}

describe("a pattern subscription", () => {
  it("answers with the public names it matches now, each with its last id, never an internal one", async () => {
    await setup();
    const { id } = await harness.bus.trigger("model:created", 1);
    const client = await harness.connect();
    const reply = await client.op({ type: "subscribe", event: "model:*" });
    expect(reply).toEqual({
      type: "ok",
      ref: expect.any(String),
      events: [
        { event: "model:created", last: id },
        { event: "model:deleted", last: expect.stringMatching(/-0$/) },
      ],
    });
  });

  it("answers a pattern that matches only internal names exactly like one that matches nothing", async () => {
    await setup();
    harness.bus.createSignal("secret:a", { internal: true });
    const client = await harness.connect();
    const internalOnly = await client.op({ type: "subscribe", event: "secret:*" });
    const nothing = await client.op({ type: "subscribe", event: "nothing:*" });
    expect({ ...internalOnly, ref: "x" }).toEqual({ ...nothing, ref: "x" });
    expect(internalOnly).toMatchObject({ type: "ok", events: [] });
    await harness.bus.trigger("secret:a", { hidden: true });
    await client.op({ type: "ping" });
    expect(eventsOf(client)).toEqual([]);
  });

  it("delivers events of every matching public name with their concrete names, and none of others", async () => {
    await setup();
    const client = await harness.connect();
    await client.op({ type: "subscribe", event: "model:*" });
    await harness.bus.trigger("model:created", 1);
    await harness.bus.trigger("model:audit", 2);
    await harness.bus.trigger("order:placed", 3);
    await harness.bus.trigger("model:deleted", 4);
    await client.op({ type: "ping" });
    expect(eventsOf(client).map((frame) => [frame.event, frame.data])).toEqual([
      ["model:created", 1],
      ["model:deleted", 4],
    ]);
  });

  it("delivers a name declared after the subscribe", async () => {
    await setup();
    const client = await harness.connect();
    await client.op({ type: "subscribe", event: "model:*" });
    harness.bus.createSignal("model:renamed", { internal: false });
    await harness.bus.trigger("model:renamed", "new");
    await client.next((frame) => frame.type === "event");
    expect(eventsOf(client).map((frame) => frame.event)).toEqual(["model:renamed"]);
  });

  it("delivers each event once when a name and patterns all match it", async () => {
    await setup();
    const client = await harness.connect();
    await client.op({ type: "subscribe", event: "model:created" });
    await client.op({ type: "subscribe", event: "model:*" });
    await client.op({ type: "subscribe", event: "*" });
    await harness.bus.trigger("model:created", 1);
    await harness.bus.trigger("order:placed", 2);
    await client.op({ type: "ping" });
    expect(eventsOf(client).map((frame) => frame.data)).toEqual([1, 2]);
    expect(harness.transport.counters.deliveries).toBe(2);
  });

  it("keeps delivering a name by its concrete subscription after the pattern goes, and stops with both gone", async () => {
    await setup();
    const client = await harness.connect();
    await client.op({ type: "subscribe", event: "model:*" });
    await client.op({ type: "subscribe", event: "model:created" });
    await client.op({ type: "unsubscribe", event: "model:*" });
    await harness.bus.trigger("model:created", 1);
    await harness.bus.trigger("model:deleted", 2);
    await client.op({ type: "unsubscribe", event: "model:created" });
    await harness.bus.trigger("model:created", 3);
    await client.op({ type: "ping" });
    expect(eventsOf(client).map((frame) => frame.data)).toEqual([1]);
  });

  it("leaves out, silently, a name whose authorize hook refuses, asking it again for names declared later", async () => {
    await setup();
    const asked: string[] = [];
    const hook = (_action: string, context: { name: string }) => {
      asked.push(context.name);
      return !context.name.endsWith(":private");
    };
    harness.bus.createSignal("model:private", { internal: false, authorize: hook });
    const client = await harness.connect();
    const reply = await client.op({ type: "subscribe", event: "model:*" });
    expect((reply.events as { event: string }[]).map((entry) => entry.event)).toEqual(["model:created", "model:deleted"]);
    harness.bus.createSignal("model:later", { internal: false, authorize: hook });
    await harness.bus.trigger("model:private", "no");
    await harness.bus.trigger("model:later", "yes");
    await harness.bus.trigger("model:private", "still no");
    await client.op({ type: "ping" });
    expect(eventsOf(client).map((frame) => frame.data)).toEqual(["yes"]);
    expect(asked).toEqual(["model:private", "model:later"]);
  });

  it("holds a later name's events while its asynchronous hook decides, then delivers them in order, or drops them", async () => {
    await setup();
    const decisions = new Map([["model:slow-yes", deferred<boolean>()], ["model:slow-no", deferred<boolean>()]]);
    const hook = (_action: string, context: { name: string }) => decisions.get(context.name)!.promise;
    const client = await harness.connect();
    await client.op({ type: "subscribe", event: "model:*" });
    harness.bus.createSignal("model:slow-yes", { internal: false, authorize: hook });
    harness.bus.createSignal("model:slow-no", { internal: false, authorize: hook });
    for (const n of [1, 2]) await harness.bus.trigger("model:slow-yes", n);
    await harness.bus.trigger("model:slow-no", "x");
    await client.op({ type: "ping" });
    expect(eventsOf(client)).toEqual([]);
    decisions.get("model:slow-yes")!.resolve(true);
    decisions.get("model:slow-no")!.resolve(false);
    await harness.bus.trigger("model:slow-yes", 3);
    await client.next(() => eventsOf(client).length === 3);
    expect(eventsOf(client).map((frame) => frame.data)).toEqual([1, 2, 3]);
  });

  it("counts as one subscription under EVENTS_MAX_SUBSCRIPTIONS, however many names it matches", async () => {
    harness = await startTransport({ maxSubscriptions: 2 });
    for (let i = 0; i < 5; i++) harness.bus.createSignal(`model:e${i}`, { internal: false });
    harness.bus.createSignal("other", { internal: false });
    harness.bus.createSignal("third", { internal: false });
    const client = await harness.connect();
    expect(await client.op({ type: "subscribe", event: "model:*" })).toMatchObject({ type: "ok" });
    expect(await client.op({ type: "subscribe", event: "other" })).toMatchObject({ type: "ok" });
    expect(await client.op({ type: "subscribe", event: "third" })).toMatchObject({ code: "forbidden" });
  });

  it.each(["model*", "*:created", "model:*:x", "mo*del:*"])("refuses %j with bad_request", async (pattern) => {
    await setup();
    const client = await harness.connect();
    expect(await client.op({ type: "subscribe", event: pattern })).toMatchObject({ code: "bad_request", message: expect.stringContaining("not a name pattern") });
  });

  it("is refused for a trigger, a request or presence, which take one name", async () => {
    await setup();
    const client = await harness.connect();
    expect(await client.op({ type: "trigger", event: "model:*", data: 1 })).toMatchObject({ code: "bad_request", message: expect.stringContaining("may not be a pattern") });
    expect(await client.op({ type: "request", query: "model:*" })).toMatchObject({ code: "bad_request" });
    expect(await client.op({ type: "subscribe", event: "model:*", presence: true })).toMatchObject({ code: "bad_request" });
  });

  it("counts in the subscribers a monitor sees per name, and never for an internal name", async () => {
    await setup();
    const byPattern = await harness.connect();
    await byPattern.op({ type: "subscribe", event: "model:*" });
    const byNameAndPattern = await harness.connect();
    await byNameAndPattern.op({ type: "subscribe", event: "model:created" });
    await byNameAndPattern.op({ type: "subscribe", event: "*" });
    const monitor = await harness.connect();
    await monitor.op({ type: "monitor", token: createMonitorToken(TEST_SECRET) });
    const described = (await monitor.op({ type: "describe" })) as unknown as { events: { name: string; subscribers: number }[] };
    const subscribers = Object.fromEntries(described.events.map((info) => [info.name, info.subscribers]));
    expect(subscribers).toEqual({ "model:created": 2, "model:deleted": 2, "model:audit": 0, "order:placed": 1, "wf:disconnected": 0 });
    expect(["model:created", "model:audit", "order:placed"].map((name) => harness.transport.reachOf(name))).toEqual([2, 0, 1]);
  });
});

describe("recovering a pattern subscription", () => {
  it("replays per name after each name's last id, and a name the client never saw from its start", async () => {
    await setup();
    const client = await harness.connect();
    const first = await client.op({ type: "subscribe", event: "model:*" });
    const last = Object.fromEntries((first.events as { event: string; last: string }[]).map((entry) => [entry.event, entry.last]));
    const { id: seen } = await harness.bus.trigger("model:created", 1);
    client.terminate();
    await harness.bus.trigger("model:created", 2);
    await harness.bus.trigger("model:deleted", 3);
    harness.bus.createSignal("model:new", { internal: false });
    await harness.bus.trigger("model:new", 4);
    const back = await harness.connect();
    const reply = await back.op({ type: "subscribe", event: "model:*", since: { ...last, "model:created": seen } });
    expect(reply).toMatchObject({
      events: [
        { event: "model:created", recovered: true },
        { event: "model:deleted", recovered: true },
        { event: "model:new", recovered: true },
      ],
    });
    await back.next(() => eventsOf(back).length === 3);
    expect(eventsOf(back).map((frame) => [frame.event, frame.data])).toEqual([
      ["model:created", 2],
      ["model:deleted", 3],
      ["model:new", 4],
    ]);
  });

  it("sends a history gap for a name whose missed events were evicted", async () => {
    await setup(2);
    const client = await harness.connect();
    await client.op({ type: "subscribe", event: "model:*" });
    const { id } = await harness.bus.trigger("model:created", 0);
    client.terminate();
    for (let n = 1; n <= 4; n++) await harness.bus.trigger("model:created", n);
    const back = await harness.connect();
    const reply = await back.op({ type: "subscribe", event: "model:*", since: { "model:created": id, "model:deleted": `${id.split("-")[0]}-0` } });
    expect(reply).toMatchObject({ events: [{ event: "model:created", recovered: false }, { event: "model:deleted", recovered: true }] });
    await back.next(() => eventsOf(back).length === 2);
    expect(back.ofType("gap")).toEqual([{ type: "gap", event: "model:created", missed: 2, reason: "history" }]);
    expect(eventsOf(back).map((frame) => frame.data)).toEqual([3, 4]);
  });

  it("refuses a since that is not an object of name → id", async () => {
    await setup();
    const client = await harness.connect();
    expect(await client.op({ type: "subscribe", event: "model:*", since: "abc-1" })).toMatchObject({ code: "bad_request", message: expect.stringContaining('"since" of a pattern') });
  });
});
