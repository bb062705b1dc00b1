import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createMonitorToken } from "@/lib/events/server";
import { startTransport, TEST_SECRET, type Harness } from "@/test/support/transport-harness";

let harness: Harness;
afterEach(() => harness?.close());

async function setup(config = {}) {
  harness = await startTransport(config);
  const { bus } = harness;
  bus.createSignal("model:created", { internal: false, schema: z.object({ id: z.number(), value: z.string() }) });
  bus.createSignal("chat:message", { internal: false });
  bus.createSignal("audit:login"); // internal
  bus.query("model:count", (_) => 3, { internal: false });
  bus.query("search", (term) => `a:${String(term)}`, { internal: false, singleton: false, key: "a" });
  bus.query("search", (term) => `b:${String(term)}`, { key: "b" });
  bus.query("secret:count", (_) => 42); // internal
  return { bus, client: await harness.connect() };
}

describe("subscribe", () => {
  it("answers ok with the newest id and then delivers every trigger", async () => {
    const { bus, client } = await setup();
    const first = await bus.trigger("chat:message", "before");
    expect(await client.op({ type: "subscribe", event: "chat:message" })).toEqual({ type: "ok", ref: expect.any(String), last: first.id });
    const second = await bus.trigger("chat:message", "after");
    expect(await client.next((frame) => frame.type === "event")).toEqual({ type: "event", event: "chat:message", id: second.id, data: "after" });
  });

  it("answers not_found with a suggestion for an unknown event", async () => {
    const { client } = await setup();
    expect(await client.op({ type: "subscribe", event: "model:creatd" })).toMatchObject({
      type: "error",
      code: "not_found",
      message: 'Unknown event "model:creatd" (did you mean "model:created"?)',
    });
  });

  it("answers an internal event exactly like an unknown one", async () => {
    const { client } = await setup();
    const internal = await client.op({ type: "subscribe", event: "audit:login" });
    const unknown = await client.op({ type: "subscribe", event: "audit:logon" });
    expect(internal).toMatchObject({ type: "error", code: "not_found", message: 'Unknown event "audit:login"' });
    expect(unknown).toMatchObject({ type: "error", code: "not_found", message: 'Unknown event "audit:logon"' });
  });

  it("answers forbidden when the authorize hook says no, and lets allowed connections in", async () => {
    const { bus, client } = await setup();
    bus.createSignal("admin:feed", { internal: false, authorize: (_action, context) => context.connection.origin === "http://admin.local" });
    expect(await client.op({ type: "subscribe", event: "admin:feed" })).toMatchObject({ code: "forbidden", message: 'Not allowed to subscribe "admin:feed"' });
  });

  it("answers forbidden past the subscription cap", async () => {
    const { bus, client } = await setup({ maxSubscriptions: 2 });
    bus.createSignal("c", { internal: false });
    await client.op({ type: "subscribe", event: "model:created" });
    await client.op({ type: "subscribe", event: "chat:message" });
    const refused = await client.op({ type: "subscribe", event: "c" });
    expect(refused).toMatchObject({ type: "error", code: "forbidden" });
    expect(String(refused.message)).toMatch(/already holds 2 subscriptions, the most allowed \(EVENTS_MAX_SUBSCRIPTIONS\)/);
    expect(await client.op({ type: "subscribe", event: "chat:message" })).toMatchObject({ type: "ok" }); // again: not a new one
  });
});

describe("unsubscribe", () => {
  it("stops deliveries", async () => {
    const { bus, client } = await setup();
    await client.op({ type: "subscribe", event: "chat:message" });
    expect(await client.op({ type: "unsubscribe", event: "chat:message" })).toMatchObject({ type: "ok" });
    const report = await bus.trigger("chat:message", "x");
    expect(report.delivered).toBe(0);
    await client.op({ type: "ping" });
    expect(client.ofType("event")).toEqual([]);
  });

  it("answers not_found for an internal event", async () => {
    const { client } = await setup();
    expect(await client.op({ type: "unsubscribe", event: "audit:login" })).toMatchObject({ code: "not_found" });
  });
});

describe("trigger", () => {
  it("runs the server's handlers, reaches subscribers, and answers the event id and counts", async () => {
    const { bus, client } = await setup();
    const seen: unknown[] = [];
    let source: string | undefined;
    bus.event("chat:message", (data) => {
      seen.push(data);
      source = bus.context()?.source;
    });
    const listener = await harness.connect();
    await listener.op({ type: "subscribe", event: "chat:message" });
    const reply = await client.op({ type: "trigger", event: "chat:message", data: { text: "hi" } });
    expect(reply).toEqual({ type: "ok", ref: expect.any(String), id: expect.any(String), handlers: 1, failed: 0, delivered: 1 });
    expect(seen).toEqual([{ text: "hi" }]);
    expect(source).toBe(`client:${(client.frames[0] as { connection: string }).connection}`);
    expect(await listener.next((frame) => frame.type === "event")).toMatchObject({ id: reply.id, data: { text: "hi" } });
  });

  it("answers invalid_payload naming the field when the schema rejects the data", async () => {
    const { client } = await setup();
    const reply = await client.op({ type: "trigger", event: "model:created", data: { id: "x", value: "v" } });
    expect(reply).toMatchObject({ type: "error", code: "invalid_payload" });
    expect(String(reply.message)).toMatch(/^Invalid payload for "model:created": data\.id: /);
  });

  it("answers not_found for an internal event, and its handlers never run", async () => {
    const { bus, client } = await setup();
    let ran = false;
    bus.event("audit:login", (_) => (ran = true));
    expect(await client.op({ type: "trigger", event: "audit:login", data: {} })).toMatchObject({ code: "not_found", message: 'Unknown event "audit:login"' });
    expect(ran).toBe(false);
  });

  it("answers forbidden for a subscribe-only event", async () => {
    const { bus, client } = await setup();
    bus.createSignal("ticker", { internal: false, authorize: (action) => action === "subscribe" });
    expect(await client.op({ type: "subscribe", event: "ticker" })).toMatchObject({ type: "ok" });
    expect(await client.op({ type: "trigger", event: "ticker", data: 1 })).toMatchObject({ code: "forbidden", message: 'Not allowed to trigger "ticker"' });
  });
});

describe("request", () => {
  it("answers a singleton query with its value", async () => {
    const { client } = await setup();
    expect(await client.op({ type: "request", query: "model:count" })).toEqual({ type: "ok", ref: expect.any(String), data: 3 });
  });

  it("answers a non-singleton query with every handler's value", async () => {
    const { client } = await setup();
    expect(await client.op({ type: "request", query: "search", data: "q" })).toMatchObject({ data: ["a:q", "b:q"] });
  });

  it("answers not_found for an internal query, exactly like an unknown one", async () => {
    const { client } = await setup();
    expect(await client.op({ type: "request", query: "secret:count" })).toMatchObject({ code: "not_found", message: 'Unknown query "secret:count"' });
  });

  it("answers no_handler when the query has none", async () => {
    const { bus, client } = await setup();
    bus.query("empty", (_) => 1, { internal: false })();
    expect(await client.op({ type: "request", query: "empty" })).toMatchObject({ code: "no_handler", message: 'Query "empty" has no handler' });
  });

  it("answers handler_error with the message only, no stack", async () => {
    const { bus, client } = await setup();
    bus.query("broken", function lookUp(_) {
      throw new Error("database is locked");
    }, { internal: false });
    const reply = await client.op({ type: "request", query: "broken" });
    expect(reply).toEqual({ type: "error", ref: expect.any(String), code: "handler_error", message: 'Query "broken" failed: lookUp: database is locked' });
  });

  it("answers timeout after the op's timeout", async () => {
    const { bus, client } = await setup();
    bus.query("slow", async (_) => new Promise(() => {}), { internal: false });
    expect(await client.op({ type: "request", query: "slow", timeout: 50 })).toMatchObject({ code: "timeout", message: 'Request "slow" timed out after 50 ms' });
  });

  it("caps the op's timeout at the server's", async () => {
    const { bus, client } = await setup({ requestTimeoutMs: 60 });
    bus.query("slow", async (_) => new Promise(() => {}), { internal: false });
    expect(await client.op({ type: "request", query: "slow", timeout: 600_000 })).toMatchObject({ code: "timeout", message: 'Request "slow" timed out after 60 ms' });
  });

  it("answers handler_error when the result cannot travel as JSON", async () => {
    const { bus, client } = await setup();
    bus.query("map", (_) => new Map([["a", 1]]), { internal: false });
    expect(await client.op({ type: "request", query: "map" })).toMatchObject({ code: "handler_error", message: expect.stringMatching(/cannot travel as JSON: .*is a Map/) });
  });

  it("answers too_large when the result is over the limit", async () => {
    const { bus, client } = await setup({ maxPayload: 2048 });
    bus.query("big", (_) => "x".repeat(5000), { internal: false });
    expect(await client.op({ type: "request", query: "big" })).toMatchObject({ code: "too_large" });
  });

  it("answers forbidden when the authorize hook refuses the request", async () => {
    const { bus, client } = await setup();
    bus.query("admin:stats", (_) => 1, { internal: false, authorize: () => false });
    expect(await client.op({ type: "request", query: "admin:stats" })).toMatchObject({ code: "forbidden" });
  });

  it("answers forbidden when the authorize hook throws, and logs it", async () => {
    const { bus, client } = await setup();
    bus.query("admin:stats", (_) => 1, { internal: false, authorize: () => { throw new Error("hook bug"); } });
    expect(await client.op({ type: "request", query: "admin:stats" })).toMatchObject({ code: "forbidden" });
  });
});

describe("describe", () => {
  it("lists public events and queries with flags and schema, and no internal name", async () => {
    const { client } = await setup();
    const reply = (await client.op({ type: "describe" })) as unknown as { events: { name: string }[]; queries: { name: string }[] };
    expect(reply.events.map((entry) => entry.name)).toEqual(["chat:message", "model:created"]);
    expect(reply.queries.map((entry) => entry.name)).toEqual(["model:count", "search"]);
    expect(reply.events[1]).toEqual({
      name: "model:created",
      kind: "event",
      internal: false,
      singleton: false,
      schema: expect.objectContaining({ type: "object", required: ["id", "value"] }),
      description: null,
    });
    expect(JSON.stringify(reply)).not.toMatch(/audit:login|secret:count/);
  });
});

describe("ping", () => {
  it("answers ok", async () => {
    const { client } = await setup();
    expect(await client.op({ type: "ping" })).toEqual({ type: "ok", ref: expect.any(String) });
  });
});

describe("monitor", () => {
  it("admits a valid token: internal names become visible and usable, and traces flow", async () => {
    const { bus, client } = await setup();
    expect(await client.op({ type: "monitor", token: createMonitorToken(TEST_SECRET) })).toEqual({
      type: "ok",
      ref: expect.any(String),
      instance: "test-instance",
      startedAt: expect.any(Number),
      expiresAt: expect.any(Number),
      expiresIn: expect.any(Number),
    });
    expect(await client.op({ type: "request", query: "secret:count" })).toMatchObject({ type: "ok", data: 42 });
    const reply = await client.op({ type: "trigger", event: "audit:login", data: { user: "ada" } });
    expect(reply).toMatchObject({ type: "ok" });
    const trace = await client.next((frame) => frame.type === "trace" && frame.name === "audit:login");
    expect(trace).toMatchObject({ kind: "trigger", internal: true, source: "monitor", data: { user: "ada" }, error: null, instance: "test-instance" });
    await bus.request("model:count");
    expect(await client.next((frame) => frame.type === "trace" && frame.name === "model:count")).toMatchObject({ kind: "request", source: "server", result: 3 });
    const describedReply = await client.op({ type: "describe" });
    const described = JSON.stringify(describedReply);
    expect(described).toContain("audit:login");
    expect(described).toContain('"subscribers":0');
    expect(describedReply.cluster).toEqual({
      adapter: "memory",
      state: "ready",
      instances: [expect.objectContaining({ id: "test-instance", connections: 1, monitors: 1, queries: expect.objectContaining({ "model:count": 1 }) })],
    });
  });

  it("answers unauthorized for a forged or expired token", async () => {
    const { client } = await setup();
    expect(await client.op({ type: "monitor", token: createMonitorToken("another-secret-entirely") })).toMatchObject({
      code: "unauthorized",
      message: "The monitor token is not valid",
    });
    expect(await client.op({ type: "monitor", token: createMonitorToken(TEST_SECRET, { ttlMs: -1 }) })).toMatchObject({
      code: "unauthorized",
      message: "The monitor token has expired: fetch a new one",
    });
    expect(await client.op({ type: "request", query: "secret:count" })).toMatchObject({ code: "not_found" });
  });
});

describe("fan-out", () => {
  it("serialises each event once, whatever the number of subscribers", async () => {
    const { bus } = await setup();
    const clients = await Promise.all([harness.connect(), harness.connect(), harness.connect()]);
    for (const client of clients) await client.op({ type: "subscribe", event: "chat:message" });
    let serialised = 0;
    const payload = { toJSON: () => (serialised++, { text: "once" }) };
    const report = await bus.trigger("chat:message", payload);
    expect(report.delivered).toBe(3);
    for (const client of clients) expect(await client.next((frame) => frame.type === "event")).toMatchObject({ data: { text: "once" } });
    expect(serialised).toBe(1);
  });
});
