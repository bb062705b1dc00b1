import { describe, expect, it } from "vitest";
import type { TraceFrame } from "@/lib/events/protocol/frames";
import { exportFileName, IMPORT_LIMIT_TRACES, listToNdjson, parseRecording, Recording, RECORDING_FORMAT } from "./recording";

const trace = (n: number, fields: Partial<TraceFrame> = {}): TraceFrame => ({
  type: "trace",
  kind: "trigger",
  name: "model:created",
  id: `e-${n}`,
  internal: false,
  source: "server",
  at: 1_000 + n,
  handlers: 1,
  delivered: 0,
  durationMs: 1,
  error: null,
  code: null,
  data: { n },
  instance: "a",
  ...fields,
});

const exportedAt = new Date("2026-11-29T14:00:00.000Z");

describe("a recording", () => {
  it("keeps every trace in order, and exports them after a header naming the app, instance, protocol and time", () => {
    const recording = new Recording();
    recording.add([trace(1), trace(2)]);
    recording.add([trace(3)]);
    const [header, ...lines] = recording.toNdjson("a1b2c3d4", exportedAt).trimEnd().split("\n");
    expect(JSON.parse(header!)).toEqual({
      format: RECORDING_FORMAT,
      version: 1,
      app: "webfluid-events",
      instance: "a1b2c3d4",
      protocol: 1,
      exportedAt: "2026-11-29T14:00:00.000Z",
      from: 1_001,
      to: 1_003,
      count: 3,
      source: "recording",
    });
    expect(lines.map((line) => (JSON.parse(line) as TraceFrame).id)).toEqual(["e-1", "e-2", "e-3"]);
  });

  it("stops at its size limit, keeping what it has and taking nothing more", () => {
    const one = JSON.stringify(trace(1)).length + 1;
    const recording = new Recording(one * 2 + 10);
    expect(recording.add([trace(1), trace(2)])).toBe(true);
    expect(recording.add([trace(3)])).toBe(false);
    expect(recording.full).toBe(true);
    expect(recording.add([trace(4)])).toBe(false);
    expect(recording.count).toBe(2);
    expect(recording.bytes).toBe(one * 2);
  });

  it("round-trips through Import, as does the list (written oldest first)", () => {
    const recording = new Recording();
    recording.add([trace(1), trace(2, { kind: "request", result: [1, 2], error: "boom", code: "handler_error" })]);
    const parsed = parseRecording(recording.toNdjson("a", exportedAt));
    expect(parsed).toMatchObject({ ok: true, header: { count: 2 }, traces: [trace(1), trace(2, { kind: "request", result: [1, 2], error: "boom", code: "handler_error" })] });
    const list = parseRecording(listToNdjson([trace(9), trace(8)], "a", exportedAt));
    expect(list).toMatchObject({ ok: true, header: { source: "list", from: 1_008, to: 1_009 } });
    expect(list.ok && list.traces.map((t) => t.id)).toEqual(["e-8", "e-9"]);
  });

  it("names its file after the instance and the time", () => {
    expect(exportFileName("a1b2c3d4", exportedAt)).toBe("webfluid-events-a1b2c3d4-20261129T140000Z.ndjson");
  });
});

describe("Import", () => {
  const header = JSON.stringify({ format: RECORDING_FORMAT, version: 1, app: "webfluid-events", instance: "a", protocol: 1, exportedAt: "", from: null, to: null, count: 0, source: "list" });

  it("refuses what is not an export, naming the line and what is wrong with it", () => {
    expect(parseRecording("")).toMatchObject({ ok: false, message: expect.stringContaining("Line 1 is not a Webfluid Events export header") });
    expect(parseRecording('{"hello":1}\n')).toMatchObject({ ok: false, message: expect.stringContaining("Line 1") });
    expect(parseRecording(header.replace('"version":1', '"version":2'))).toMatchObject({ ok: false, message: "The file is version 2 of the format; this dashboard reads version 1" });
    expect(parseRecording(`${header}\n${JSON.stringify(trace(1))}\n{oops\n`)).toEqual({ ok: false, message: "Line 3 is not JSON" });
    expect(parseRecording(`${header}\n${JSON.stringify({ ...trace(1), at: "soon" })}`)).toEqual({ ok: false, message: 'Line 2 is not a trace: "at" is not a number' });
    expect(parseRecording(`${header}\n${JSON.stringify({ ...trace(1), type: "event" })}`)).toEqual({ ok: false, message: 'Line 2 is not a trace: "type" is not "trace"' });
  });

  it("reads at most its limit of traces", () => {
    const line = JSON.stringify(trace(1));
    const text = `${header}\n${Array.from({ length: IMPORT_LIMIT_TRACES + 1 }, () => line).join("\n")}`;
    expect(parseRecording(text)).toMatchObject({ ok: false, message: expect.stringContaining("more than 200,000 traces") });
  });

  it("keeps markup in payloads as data (the list and detail render it as text)", () => {
    const parsed = parseRecording(`${header}\n${JSON.stringify(trace(1, { data: "<img src=x onerror=alert(1)>" }))}`);
    expect(parsed.ok && parsed.traces[0]!.data).toBe("<img src=x onerror=alert(1)>");
  });
});
