import type { TraceFrame } from "@/lib/events/protocol/frames";
import { PROTOCOL_VERSION } from "@/lib/events/protocol/frames";
import { formatBytes } from "./format";

/** The first line of an exported file. */
export interface RecordingHeader {
  format: typeof RECORDING_FORMAT;
  version: 1;
  app: "webfluid-events";
  /** The instance the dashboard was connected to. */
  instance: string | null;
  protocol: number;
  /** When the file was written (ISO 8601), and the first and last trace's times (ms since the epoch). */
  exportedAt: string;
  from: number | null;
  to: number | null;
  count: number;
  /** "recording": everything between Record and Stop; "list": the traffic list's last traces. */
  source: "recording" | "list";
}

export const RECORDING_FORMAT = "webfluid-events.traces";
/** What a recording may hold, as the JSON of its traces: the user sees how much of it is used. */
export const RECORDING_LIMIT_BYTES = 50 * 1024 * 1024;
/** The largest file Import reads, and the most traces it keeps. */
export const IMPORT_LIMIT_BYTES = 100 * 1024 * 1024;
export const IMPORT_LIMIT_TRACES = 200_000;

/**
 * Every trace from Record to Stop (not only the list's last 1,000), bounded by the bytes of their
 * JSON: at the limit it stops by itself and says so, keeping what it has.
 */
export class Recording {
  #lines: string[] = [];
  #bytes = 0;
  #first: number | null = null;
  #last: number | null = null;
  #full = false;

  constructor(readonly limitBytes = RECORDING_LIMIT_BYTES) {}

  /** Adds traces; returns false once the recording is full (it then takes no more). */
  add(traces: readonly TraceFrame[]): boolean {
    for (const trace of traces) {
      if (this.#full) return false;
      const line = JSON.stringify(trace);
      if (this.#bytes + line.length + 1 > this.limitBytes) {
        this.#full = true;
        return false;
      }
      this.#lines.push(line);
      this.#bytes += line.length + 1;
      this.#first ??= trace.at;
      this.#last = trace.at;
    }
    return true;
  }

  get count(): number {
    return this.#lines.length;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get full(): boolean {
    return this.#full;
  }

  /** The recorded traces, oldest first (read back from their JSON: what was recorded, not live objects). */
  traces(): TraceFrame[] {
    return this.#lines.map((line) => JSON.parse(line) as TraceFrame);
  }

  /** The file: a header line, then one trace per line. */
  toNdjson(instance: string | null, exportedAt: Date): string {
    return ndjson(this.#lines, { instance, exportedAt, from: this.#first, to: this.#last, source: "recording" });
  }
}

/** The traffic list's traces (newest first, as the list holds them) as a file, oldest first. */
export function listToNdjson(newestFirst: readonly TraceFrame[], instance: string | null, exportedAt: Date): string {
  const oldestFirst = [...newestFirst].reverse();
  return ndjson(
    oldestFirst.map((trace) => JSON.stringify(trace)),
    { instance, exportedAt, from: oldestFirst[0]?.at ?? null, to: oldestFirst.at(-1)?.at ?? null, source: "list" },
  );
}

function ndjson(lines: readonly string[], meta: { instance: string | null; exportedAt: Date; from: number | null; to: number | null; source: RecordingHeader["source"] }): string {
  const header: RecordingHeader = {
    format: RECORDING_FORMAT,
    version: 1,
    app: "webfluid-events",
    instance: meta.instance,
    protocol: PROTOCOL_VERSION,
    exportedAt: meta.exportedAt.toISOString(),
    from: meta.from,
    to: meta.to,
    count: lines.length,
    source: meta.source,
  };
  return `${JSON.stringify(header)}\n${lines.map((line) => `${line}\n`).join("")}`;
}

/** The file name Export suggests: the instance and the time, sortable. */
export function exportFileName(instance: string | null, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `webfluid-events-${instance ?? "traces"}-${stamp}.ndjson`;
}

export type ParsedRecording = { ok: true; header: RecordingHeader; traces: TraceFrame[] } | { ok: false; message: string };

/**
 * Reads an exported file. Every way it can be wrong is a message naming the line: not this format,
 * a line that is not JSON or not a trace, too large, too many traces.
 */
export function parseRecording(text: string): ParsedRecording {
  if (text.length > IMPORT_LIMIT_BYTES) return { ok: false, message: `The file is ${formatBytes(text.length)}: Import reads at most ${formatBytes(IMPORT_LIMIT_BYTES)}` };
  const lines = text.split("\n");
  const header = parseLine(lines[0] ?? "");
  if (!isHeader(header)) return { ok: false, message: `Line 1 is not a Webfluid Events export header (expected {"format":"${RECORDING_FORMAT}",…}): is this a file from Export?` };
  if (header.version !== 1) return { ok: false, message: `The file is version ${String(header.version)} of the format; this dashboard reads version 1` };
  const traces: TraceFrame[] = [];
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.trim() === "") continue;
    if (traces.length === IMPORT_LIMIT_TRACES) return { ok: false, message: `The file holds more than ${IMPORT_LIMIT_TRACES.toLocaleString("en")} traces: Import keeps at most that many` };
    const trace = parseLine(line);
    if (trace === undefined) return { ok: false, message: `Line ${index + 1} is not JSON` };
    const problem = traceProblem(trace);
    if (problem) return { ok: false, message: `Line ${index + 1} is not a trace: ${problem}` };
    traces.push(trace as TraceFrame);
  }
  return { ok: true, header, traces };
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

function isHeader(value: unknown): value is RecordingHeader {
  return typeof value === "object" && value !== null && (value as { format?: unknown }).format === RECORDING_FORMAT;
}

/** Why `value` cannot be shown as a trace (the fields the list and detail rely on), or null. */
function traceProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not an object";
  const trace = value as Record<string, unknown>;
  if (trace.type !== "trace") return '"type" is not "trace"';
  if (trace.kind !== "trigger" && trace.kind !== "request") return '"kind" is neither "trigger" nor "request"';
  for (const field of ["name", "id", "source", "instance"] as const) if (typeof trace[field] !== "string") return `"${field}" is not a string`;
  for (const field of ["at", "handlers", "delivered", "durationMs"] as const) if (typeof trace[field] !== "number" || !Number.isFinite(trace[field])) return `"${field}" is not a number`;
  if (typeof trace.internal !== "boolean") return '"internal" is not true or false';
  for (const field of ["error", "code"] as const) if (trace[field] !== null && typeof trace[field] !== "string") return `"${field}" is neither text nor null`;
  return null;
}
