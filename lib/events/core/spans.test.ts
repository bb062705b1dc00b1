import { describe, expect, it } from "vitest";
import { z } from "zod";
import { EventBus } from "./bus";
import { silentLogger } from "./logger";
import { RunSpans } from "./spans";
import { TRACE_PREVIEW_BYTES } from "../protocol/preview";
import { SPAN_STACK_CHARS, type TraceRecord } from "./trace";

function tracedBus(): { bus: EventBus; records: TraceRecord[] } {
  const bus = new EventBus({ logger: silentLogger, instance: "i1" });
  const records: TraceRecord[] = [];
  bus.observe((record) => records.push(record));
  return { bus, records };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("handler spans", () => {
  it("carry one span per handler of a trigger: label, source, instance, timing, outcome", async () => {
    const { bus, records } = tracedBus();
    bus.event("x", async function slowButFine(_) {
      await pause(30);
    });
    bus.event("x", function failsAtOnce(_) {
      throw new Error("no thanks");
    });
    await bus.trigger("x", null);
    const [slow, failing] = records[0]!.spans;
    expect(slow).toMatchObject({ handler: "slowButFine", instance: "i1", outcome: "ok" });
    expect(slow!.source).toMatch(/^lib\/events\/core\/spans\.test\.ts:\d+$/);
    expect(slow!.durationMs).toBeGreaterThanOrEqual(25);
    expect(slow!.durationMs).toBeLessThanOrEqual(records[0]!.durationMs);
    expect(slow!.startMs).toBeGreaterThanOrEqual(0);
    expect(slow).not.toHaveProperty("code");
    expect(failing).toMatchObject({ handler: "failsAtOnce", outcome: "error", code: "handler_error", message: "no thanks" });
    expect(failing!.startMs).toBeGreaterThanOrEqual(slow!.startMs);
    expect(failing!.stack).toMatch(/^Error: no thanks\n\s+at failsAtOnce/);
  });

  it("time a handler that rejects later, and name an anonymous one by its place", async () => {
    const { bus, records } = tracedBus();
    bus.event("x", async (_) => {
      await pause(20);
      throw new TypeError("late");
    });
    await bus.trigger("x", null);
    expect(records[0]!.spans).toEqual([
      expect.objectContaining({ handler: "handler #1", outcome: "error", code: "handler_error", message: "late", durationMs: expect.any(Number) }),
    ]);
    expect(records[0]!.spans[0]!.durationMs).toBeGreaterThanOrEqual(15);
  });

  it("cut a long stack", async () => {
    const { bus, records } = tracedBus();
    bus.event("x", (_) => {
      const error = new Error("deep");
      error.stack = `Error: deep\n${"    at somewhere (file.ts:1:1)\n".repeat(1_000)}`;
      throw error;
    });
    await bus.trigger("x", null);
    expect(records[0]!.spans[0]!.stack).toHaveLength(SPAN_STACK_CHARS);
  });

  it("are empty for a trigger refused before any handler ran", async () => {
    const { bus, records } = tracedBus();
    bus.createSignal("typed", { schema: z.object({ n: z.number() }) });
    bus.event("typed", (_) => {});
    await bus.trigger("typed", { n: "one" } as never).catch(() => {});
    expect(records[0]).toMatchObject({ code: "invalid_payload", spans: [] });
  });

  it("carry each query handler's value, previewed like payloads", async () => {
    const { bus, records } = tracedBus();
    bus.query("q", function small(_) {
      return { total: 3 };
    }, { singleton: false });
    bus.query("q", async function big(_) {
      return "x".repeat(10_000);
    }, { singleton: false });
    bus.query("q", function broken(_) {
      throw new Error("no answer");
    }, { singleton: false });
    await bus.requestSettled("q", null);
    const spans = records[0]!.spans;
    expect(spans.map((span) => [span.handler, span.outcome])).toEqual([
      ["small", "ok"],
      ["big", "ok"],
      ["broken", "error"],
    ]);
    expect(spans[0]!.value).toEqual({ total: 3 });
    expect(spans[1]!.value).toMatch(new RegExp(`^"x{${TRACE_PREVIEW_BYTES - 1}}… \\(10002 characters, cut\\)$`));
    expect(spans[2]).toMatchObject({ code: "handler_error", message: "no answer" });
    expect(spans[2]).not.toHaveProperty("value");
  });

  it("show a handler still running when its request timed out as a timeout, with how long it ran", async () => {
    const { bus, records } = tracedBus();
    bus.query("stuck", async function neverAnswers(_) {
      return new Promise(() => {});
    });
    await bus.request("stuck", null, { timeout: 40 }).catch(() => {});
    expect(records[0]!.spans[0]).toMatchObject({ handler: "neverAnswers", outcome: "error", code: "timeout" });
    expect(records[0]!.spans[0]!.durationMs).toBeGreaterThanOrEqual(35);
  });

  it("time the one synchronous answer of a singleton query", async () => {
    const { bus, records } = tracedBus();
    bus.query("count", function counts(_) {
      return 7;
    });
    await bus.request("count");
    expect(records[0]!.spans).toEqual([expect.objectContaining({ handler: "counts", outcome: "ok", value: 7, instance: "i1" })]);
  });

  it("are not made when nobody looks: no monitor, no OpenTelemetry SDK", () => {
    expect(RunSpans.begin("trigger", "x", "i1", performance.now(), false)).toBeUndefined();
    expect(RunSpans.begin("trigger", "x", "i1", performance.now(), true)).toBeInstanceOf(RunSpans);
  });
});
