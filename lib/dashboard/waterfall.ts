import type { TraceSpan } from "@/lib/events/protocol/frames";

/** One bar of a trace's waterfall: where it sits on the shared time axis, and what it says. */
export interface WaterfallBar {
  span: TraceSpan;
  /** Percent of the axis before the bar starts. */
  left: number;
  /** Percent of the axis the bar covers (at least MIN_BAR_PERCENT, so that a 0.01 ms handler shows). */
  width: number;
  /** The longest span of a trace with more than one. */
  slowest: boolean;
  failed: boolean;
  /** The bar in words, for screen readers and as its tooltip. */
  text: string;
}

export interface Waterfall {
  bars: WaterfallBar[];
  /** The axis's length in ms: the trace's duration, or the last span's end if that is later. */
  axisMs: number;
}

/** The narrowest a bar is drawn, in percent of the axis. */
export const MIN_BAR_PERCENT = 0.75;

/**
 * Lays a trace's spans out on one time axis from the trace's start: a bar per span, the slowest
 * marked (when there is more than one), the failing ones flagged. Spans from another instance
 * were placed by the server from when it was asked: clocks of two machines are never compared.
 */
export function layoutWaterfall(spans: readonly TraceSpan[], traceMs: number, formatMs: (ms: number) => string, instance?: string): Waterfall {
  const ends = spans.map((span) => Math.max(0, span.startMs) + Math.max(0, span.durationMs));
  const axisMs = Math.max(traceMs > 0 && Number.isFinite(traceMs) ? traceMs : 0, ...ends, 0);
  let slowest = -1;
  if (spans.length > 1) {
    for (let i = 0; i < spans.length; i++) if (slowest < 0 || spans[i]!.durationMs > spans[slowest]!.durationMs) slowest = i;
  }
  const bars = spans.map((span, index): WaterfallBar => {
    const start = Math.max(0, span.startMs);
    const left = axisMs > 0 ? Math.min(100 - MIN_BAR_PERCENT, (start / axisMs) * 100) : 0;
    const width = Math.min(100 - left, Math.max(MIN_BAR_PERCENT, axisMs > 0 ? (Math.max(0, span.durationMs) / axisMs) * 100 : 100));
    const failed = span.outcome === "error";
    return { span, left, width, slowest: index === slowest, failed, text: spanText(span, formatMs, index === slowest, instance) };
  });
  return { bars, axisMs };
}

/**
 * A span in one sentence: "failsOnPurpose (events/demo.ts:45): started at 0.05 ms, took 0.03 ms,
 * failed: handler_error: it broke". The instance is named when it is not the trace's own.
 */
export function spanText(span: TraceSpan, formatMs: (ms: number) => string, slowest: boolean, instance?: string): string {
  const where = span.source ? ` (${span.source})` : "";
  const elsewhere = instance !== undefined && span.instance !== instance ? ` on instance ${span.instance}` : "";
  const outcome = span.outcome === "ok" ? "ok" : `failed: ${span.code ?? "error"}${span.message ? `: ${span.message}` : ""}`;
  return `${span.handler}${where}${elsewhere}: started at ${formatMs(Math.max(0, span.startMs))}, took ${formatMs(span.durationMs)}, ${outcome}${slowest ? ". The slowest" : ""}`;
}
