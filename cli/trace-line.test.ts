import { createColors } from "picocolors";
import { describe, expect, it } from "vitest";
import { makeTrace } from "@/lib/dashboard/test-traces";
import { toTraceRow } from "@/lib/dashboard/trace-row";
import { traceHeader, traceLine } from "./trace-line";
import { tailMatcher } from "./trace-match";

const plain = createColors(false);
const colored = createColors(true);
const row = (overrides: Parameters<typeof makeTrace>[0] = {}) => toTraceRow(makeTrace(overrides), 1, 0);
const clock = (at: number) => new Date(at).toTimeString().slice(0, 8);

describe("a tail line", () => {
  it("says what the dashboard's row says, in its column order: time, kind, name, source, handlers, browsers, duration, outcome, payload", () => {
    const line = traceLine(row({ handlers: 2, delivered: 3, durationMs: 1.5, source: "client:AbC123de" }), plain);
    expect(line).toMatch(new RegExp(`^${clock(1_700_000_000_000)}\\.000  trigger  model:created +browser AbC123de +2 +3 +1\\.50 ms  ok +\\{"id":1,"value":"first"\\}$`));
  });

  it("marks internal names, puts a request's reply after an arrow and an error's message after the payload", () => {
    expect(traceLine(row({ name: "model:count", internal: true, kind: "request", data: null, result: 3, source: "monitor" }), plain)).toMatch(
      /request  model:count \(internal\) +dashboard .* ok +null → 3$/,
    );
    expect(traceLine(row({ error: 'Unknown "x"', code: "not_found" }), plain)).toMatch(/not_found +\{"id":1,"value":"first"\}  Unknown "x"$/);
  });

  it("keeps its columns aligned with the header whether or not it is coloured", () => {
    const strip = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, "");
    const internal = row({ name: "cache:warmed", internal: true });
    expect(strip(traceLine(internal, colored))).toBe(traceLine(internal, plain));
    expect(traceLine(internal, plain).indexOf("server")).toBe(traceHeader(plain).indexOf("SOURCE"));
    expect(traceLine(row(), plain).indexOf("ok")).toBe(traceHeader(plain).indexOf("OUTCOME"));
  });

  it("has no escape codes without colours", () => {
    expect(traceLine(row({ error: "boom", code: "handler_error" }), plain)).not.toContain("\u001b");
  });
});

describe("tail's filters", () => {
  it("keep a trace that matches any pattern, as the dashboard's name filter matches one", () => {
    const keep = tailMatcher({ patterns: ["model:*", "ping"] });
    expect(keep(row({ name: "model:created" }))).toBe(true);
    expect(keep(row({ name: "demo:ping" }))).toBe(true);
    expect(keep(row({ name: "cache:warmed" }))).toBe(false);
    expect(tailMatcher({ patterns: [] })(row({ name: "anything" }))).toBe(true);
  });

  it("combine the patterns with kind, source and outcome", () => {
    const keep = tailMatcher({ patterns: ["model"], kind: "request", source: "client", outcome: "error" });
    expect(keep(row({ name: "model:count", kind: "request", source: "client:AbC", error: "x", code: "timeout" }))).toBe(true);
    expect(keep(row({ name: "model:count", kind: "request", source: "server", error: "x", code: "timeout" }))).toBe(false);
    expect(keep(row({ name: "model:count", kind: "request", source: "client:AbC" }))).toBe(false);
  });

  it("refuse a source the dashboard would not take", () => {
    expect(() => tailMatcher({ patterns: [], source: "browser" })).toThrow(/--source is "browser": expected server, client, monitor/);
    expect(() => tailMatcher({ patterns: [], source: "client:AbC-1_z" })).not.toThrow();
  });
});
