import { describe, expect, it } from "vitest";
import type { TraceSpan } from "@/lib/events/protocol/frames";
import { layoutWaterfall, MIN_BAR_PERCENT, spanText } from "./waterfall";

const ms = (value: number) => `${value} ms`;
const span = (handler: string, startMs: number, durationMs: number, extra: Partial<TraceSpan> = {}): TraceSpan => ({
  handler,
  source: `events/demo.ts:${handler.length}`,
  instance: "i1",
  startMs,
  durationMs,
  outcome: "ok",
  ...extra,
});

describe("layoutWaterfall", () => {
  it("places each bar on the trace's time axis, in percent", () => {
    const { bars, axisMs } = layoutWaterfall([span("a", 0, 50), span("b", 50, 25)], 100, ms);
    expect(axisMs).toBe(100);
    expect(bars.map(({ left, width }) => [left, width])).toEqual([
      [0, 50],
      [50, 25],
    ]);
  });

  it("marks the slowest of several, and none of one", () => {
    expect(layoutWaterfall([span("a", 0, 5), span("b", 0, 9), span("c", 1, 2)], 10, ms).bars.map((bar) => bar.slowest)).toEqual([false, true, false]);
    expect(layoutWaterfall([span("a", 0, 5)], 10, ms).bars[0]!.slowest).toBe(false);
  });

  it("flags failing spans", () => {
    const { bars } = layoutWaterfall([span("a", 0, 5), span("b", 0, 1, { outcome: "error", code: "handler_error", message: "boom" })], 10, ms);
    expect(bars.map((bar) => bar.failed)).toEqual([false, true]);
    expect(bars[1]!.text).toBe("b (events/demo.ts:1): started at 0 ms, took 1 ms, failed: handler_error: boom");
  });

  it("stretches the axis to a span that ends after the trace (a peer's clock placed it so)", () => {
    const { bars, axisMs } = layoutWaterfall([span("a", 10, 30)], 20, ms);
    expect(axisMs).toBe(40);
    expect(bars[0]).toMatchObject({ left: 25, width: 75 });
  });

  it("draws a bar of a handler too short to see at the least width, and never past the end", () => {
    const { bars } = layoutWaterfall([span("a", 0, 0.001), span("b", 100, 0)], 100, ms);
    expect(bars[0]!.width).toBe(MIN_BAR_PERCENT);
    expect(bars[1]!.left + bars[1]!.width).toBeLessThanOrEqual(100);
    expect(bars[1]!.width).toBe(MIN_BAR_PERCENT);
  });

  it("copes with a trace of zero duration, and no spans", () => {
    expect(layoutWaterfall([span("a", 0, 0)], 0, ms).bars[0]).toMatchObject({ left: 0, width: 100 });
    expect(layoutWaterfall([], 3, ms)).toEqual({ bars: [], axisMs: 3 });
  });
});

describe("spanText", () => {
  it("names another instance's answer, and says which is the slowest", () => {
    expect(spanText(span("answers", 1, 2, { instance: "peer" }), ms, true, "i1")).toBe("answers (events/demo.ts:7) on instance peer: started at 1 ms, took 2 ms, ok. The slowest");
    expect(spanText(span("answers", 1, 2, { source: null }), ms, false, "i1")).toBe("answers: started at 1 ms, took 2 ms, ok");
  });
});
