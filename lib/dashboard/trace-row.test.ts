import { describe, expect, it } from "vitest";
import type { TraceFrame } from "@/lib/events/protocol/frames";
import { toTraceRow, traceRowLabel } from "./trace-row";

const trace = (fields: Partial<TraceFrame>): TraceFrame => ({
  type: "trace",
  kind: "trigger",
  name: "model:created",
  id: "e-1",
  internal: false,
  source: "server",
  at: 0,
  handlers: 1,
  delivered: 2,
  durationMs: 4.5,
  error: null,
  code: null,
  data: { id: 1 },
  instance: "a",
  ...fields,
});

const label = (fields: Partial<TraceFrame>) => traceRowLabel(toTraceRow(trace(fields), 1, 0), () => "12:00:01.250", (ms) => `${ms} ms`);

describe("a traffic row, as a screen reader says it", () => {
  it("names every column in one sentence", () => {
    expect(label({})).toBe('trigger model:created from server at 12:00:01.250: 1 handler, 2 browsers, 4.5 ms, ok. Payload: {"id":1}');
  });

  it("says a request reaches no browser by leaving browsers out, and names internal names, sources and errors", () => {
    expect(label({ kind: "request", name: "model:count", internal: true, source: "client:Zt0cV2xq", handlers: 0, error: "no handler", code: "no_handler", data: null })).toBe(
      "request model:count (internal) from browser Zt0cV2xq at 12:00:01.250: 0 handlers, 4.5 ms, no_handler. Payload: null",
    );
  });
});
