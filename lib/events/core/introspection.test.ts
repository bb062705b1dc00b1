import { describe, expect, it, vi } from "vitest";
import { EventBus } from "./bus";
import { silentLogger } from "./logger";
import type { TraceRecord } from "./trace";

const newBus = () => new EventBus({ logger: silentLogger });

describe("snapshot", () => {
  it("lists every name with kind, flags, handler count and counters, sorted by name", async () => {
    const bus = newBus();
    bus.createSignal("model:created", { internal: false, description: "A model was added" });
    bus.event("model:created", (_) => {});
    bus.query("model:count", (_) => 3);
    await bus.trigger("model:created", { id: 1 });
    await bus.request("model:count");
    await bus.request("model:count");
    expect(bus.snapshot()).toEqual([
      {
        name: "model:count",
        kind: "query",
        internal: true,
        singleton: true,
        presence: false,
        handlers: 1,
        schema: null,
        description: null,
        counters: { count: 2, errors: 0, lastAt: expect.any(Number) },
      },
      {
        name: "model:created",
        kind: "event",
        internal: false,
        singleton: false,
        presence: false,
        handlers: 1,
        schema: null,
        description: "A model was added",
        counters: { count: 1, errors: 0, lastAt: expect.any(Number) },
      },
    ]);
  });

  it("counts rejected payloads and failed requests as errors", async () => {
    const bus = newBus();
    bus.createSignal("x", { internal: false });
    bus.query("q", (_) => {
      throw new Error("no");
    });
    await bus.trigger("x", { f: () => 1 }).catch(() => {});
    await bus.request("q").catch(() => {});
    expect(bus.snapshot().map((info) => info.counters.errors)).toEqual([1, 1]);
  });
});

describe("observe", () => {
  it("yields a trace record for every trigger", async () => {
    const bus = newBus();
    const records: TraceRecord[] = [];
    bus.observe((record) => records.push(record));
    bus.createSignal("model:created", { internal: false });
    bus.event("model:created", (_) => {});
    const { id } = await bus.trigger("model:created", { id: 1, value: "a" }, { source: "client:c1" });
    expect(records).toEqual([
      {
        kind: "trigger",
        name: "model:created",
        id,
        internal: false,
        source: "client:c1",
        at: expect.any(Number),
        handlers: 1,
        delivered: 0,
        durationMs: expect.any(Number),
        error: null,
        code: null,
        data: { id: 1, value: "a" },
        spans: [expect.objectContaining({ handler: "handler #1", outcome: "ok" })],
      },
    ]);
  });

  it("yields a trace record for every request, with its result", async () => {
    const bus = newBus();
    const records: TraceRecord[] = [];
    bus.observe((record) => records.push(record));
    bus.query("model:count", (_) => 7);
    await bus.request("model:count", undefined, { source: "monitor" });
    expect(records[0]).toMatchObject({ kind: "request", name: "model:count", internal: true, source: "monitor", error: null, result: 7, handlers: 1 });
    expect(records[0]!.id).toMatch(/-r1$/);
  });

  it("records failures with their message and code", async () => {
    const bus = newBus();
    const records: TraceRecord[] = [];
    bus.observe((record) => records.push(record));
    bus.event("x", function broken(_) {
      throw new Error("boom");
    });
    bus.query("slow", async (_) => new Promise(() => {}));
    await bus.trigger("x", null);
    await bus.request("slow", undefined, { timeout: 5 }).catch(() => {});
    expect(records.map((record) => [record.kind, record.error, record.code])).toEqual([
      ["trigger", "broken: boom", "handler_error"],
      ["request", 'Request "slow" timed out after 5 ms', "timeout"],
    ]);
  });

  it("cuts large payloads to a preview", async () => {
    const bus = newBus();
    const records: TraceRecord[] = [];
    bus.observe((record) => records.push(record));
    bus.createSignal("big", { internal: false });
    await bus.trigger("big", { text: "x".repeat(10_000) });
    expect(typeof records[0]!.data).toBe("string");
    expect(records[0]!.data).toMatch(/^\{"text":"xxx.*… \(10011 characters, cut\)$/);
  });

  it("stops after its unsubscribe, and survives an observer that throws", async () => {
    const bus = newBus();
    const warn = vi.fn();
    const busWithLog = new EventBus({ logger: { ...silentLogger, warn } });
    busWithLog.observe(() => {
      throw new Error("observer bug");
    });
    busWithLog.createSignal("x");
    await expect(busWithLog.trigger("x", null)).resolves.toBeDefined();
    expect(warn).toHaveBeenCalledOnce();

    const seen = vi.fn();
    const stop = bus.observe(seen);
    bus.createSignal("x");
    await bus.trigger("x", null);
    stop();
    await bus.trigger("x", null);
    expect(seen).toHaveBeenCalledOnce();
  });
});

describe("measure", () => {
  it("reports every trigger and request with its outcome, and nothing of the payload", async () => {
    const bus = newBus();
    const seen: unknown[] = [];
    bus.measure((measurement) => seen.push(measurement));
    bus.createSignal("x", { internal: false });
    bus.event("x", function broken(_) {
      throw new Error("no");
    });
    bus.query("q", (_) => 1);
    await bus.trigger("x", { secret: "s" });
    await bus.request("q");
    await bus.trigger("x", { f: () => 1 }).catch(() => {});
    expect(seen).toEqual([
      { kind: "trigger", name: "x", internal: false, outcome: "handler_error", durationMs: expect.any(Number), handlers: 1, failed: 1, delivered: 0 },
      { kind: "request", name: "q", internal: true, outcome: "ok", durationMs: expect.any(Number), handlers: 1, failed: 0, delivered: 0 },
      { kind: "trigger", name: "x", internal: false, outcome: "invalid_payload", durationMs: expect.any(Number), handlers: 0, failed: 0, delivered: 0 },
    ]);
  });
});

describe("attachSink", () => {
  it("hands public events to the transport once, serialised, and counts its deliveries", async () => {
    const bus = newBus();
    const deliver = vi.fn(() => 3);
    bus.attachSink({ deliver, gap: () => {} });
    bus.createSignal("public", { internal: false });
    bus.createSignal("private");
    const report = await bus.trigger("public", { a: 1 });
    await bus.trigger("private", { a: 1 });
    expect(deliver).toHaveBeenCalledExactlyOnceWith("public", report.id, '{"a":1}');
    expect(report.delivered).toBe(3);
  });
});
