import type { TraceFrame } from "@/lib/events/protocol/frames";

/** Who caused a trace, coarsely: what the source filter offers. */
export type SourceKind = "server" | "client" | "monitor";
export type Outcome = "ok" | "error";

/** One record of the live traffic list: the server's trace plus what the dashboard derives once. */
export interface TraceRow {
  /** Local sequence number: unique per page, the list's React key. */
  seq: number;
  /** When the dashboard received it (ms since the epoch, the browser's clock). */
  receivedAt: number;
  trace: TraceFrame;
  outcome: Outcome;
  sourceKind: SourceKind;
  /** The payload as one line of JSON, cut for the list (the detail shows it whole). */
  preview: string;
}

/** How many characters of the payload the list shows. */
export const PREVIEW_CHARS = 120;

export function sourceKindOf(source: string): SourceKind {
  if (source === "server" || source === "monitor") return source;
  return "client";
}

/** Who caused it, in words: the server, a browser connection, or a dashboard (a monitor session). */
export function sourceLabel(source: string): string {
  if (source === "monitor") return "dashboard";
  if (source.startsWith("client:")) return `browser ${source.slice("client:".length)}`;
  return source;
}

/** `ok`, or the error's code. */
export function outcomeLabel(row: TraceRow): string {
  return row.outcome === "ok" ? "ok" : (row.trace.code ?? "error");
}

/**
 * What a screen reader says for a row: every column named, in a sentence ("trigger model:created
 * (internal) from server at 12:00:01.250: 1 handler, 2 browsers, 4.5 ms, ok. Payload: {…}").
 */
export function traceRowLabel(row: TraceRow, clock: (at: number) => string, duration: (ms: number) => string): string {
  const { trace } = row;
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
  const reach = trace.kind === "request" ? "" : `, ${plural(trace.delivered, "browser")}`;
  const name = `${trace.name}${trace.internal ? " (internal)" : ""}`;
  return `${trace.kind} ${name} from ${sourceLabel(trace.source)} at ${clock(trace.at)}: ${plural(trace.handlers, "handler")}${reach}, ${duration(trace.durationMs)}, ${outcomeLabel(row)}. Payload: ${row.preview}`;
}

export function toTraceRow(trace: TraceFrame, seq: number, receivedAt: number): TraceRow {
  return {
    seq,
    receivedAt,
    trace,
    outcome: trace.error === null ? "ok" : "error",
    sourceKind: sourceKindOf(trace.source),
    preview: oneLine(trace.data),
  };
}

/** A value as a single line of text, at most `max` characters. */
export function oneLine(value: unknown, max = PREVIEW_CHARS): string {
  let text: string;
  if (value === undefined) return "";
  if (typeof value === "string") {
    text = JSON.stringify(value);
  } else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
