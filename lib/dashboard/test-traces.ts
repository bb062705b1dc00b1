import type { TraceFrame } from "@/lib/events/protocol/frames";

/** Test support: a trace frame with sensible defaults. */
export function makeTrace(overrides: Partial<TraceFrame> = {}): TraceFrame {
  return {
    type: "trace",
    instance: "i-test",
    kind: "trigger",
    name: "model:created",
    id: "e1-1",
    internal: false,
    source: "server",
    at: 1_700_000_000_000,
    handlers: 1,
    delivered: 0,
    durationMs: 0.5,
    error: null,
    code: null,
    data: { id: 1, value: "first" },
    ...overrides,
  };
}
