import { formatClock, formatDuration } from "@/lib/dashboard/format";
import { oneLine, outcomeLabel, sourceLabel, type TraceRow } from "@/lib/dashboard/trace-row";
import { pad } from "./table";
import type { Colors } from "./terminal";

/** The columns of `tail`, in the dashboard's traffic list's words; the payload takes the rest of the line. */
const COLUMNS = [
  { header: "TIME", width: 12 },
  { header: "KIND", width: 7 },
  { header: "NAME", width: 30 },
  { header: "SOURCE", width: 16 },
  { header: "HANDLERS", width: 8, align: "right" },
  { header: "BROWSERS", width: 8, align: "right" },
  { header: "DURATION", width: 9, align: "right" },
  { header: "OUTCOME", width: 15 },
  { header: "PAYLOAD", width: 0 },
] as const;

/** A request's reply, shown after its payload: shorter than the payload's preview. */
const RESULT_CHARS = 60;

/** The header line `tail` prints first on a terminal. */
export function traceHeader(color: Colors): string {
  return color.dim(COLUMNS.map((column) => pad(column.header, column.width, "align" in column ? column.align : "left")).join("  ").trimEnd());
}

/**
 * One trace as one line: time, kind, name (marked when internal), source, handlers, browsers
 * reached, duration, outcome, payload preview — a request's reply after `→`, an error's message
 * after the payload.
 */
export function traceLine(row: TraceRow, color: Colors): string {
  const { trace } = row;
  const failed = row.outcome === "error";
  // Padded by what shows, then painted: escapes must not count towards the width.
  const label = trace.internal ? `${trace.name} (internal)` : trace.name;
  const name = (trace.internal ? `${trace.name} ${color.dim("(internal)")}` : trace.name) + " ".repeat(Math.max(0, COLUMNS[2].width - label.length));
  let payload = row.preview;
  if (trace.kind === "request" && !failed && trace.result !== undefined) payload += ` ${color.dim("→")} ${oneLine(trace.result, RESULT_CHARS)}`;
  if (failed && trace.error) payload += `  ${color.red(trace.error)}`;
  return [
    color.dim(formatClock(trace.at)),
    (trace.kind === "trigger" ? color.cyan : color.magenta)(pad(trace.kind, COLUMNS[1].width)),
    name,
    pad(sourceLabel(trace.source), COLUMNS[3].width),
    pad(String(trace.handlers), COLUMNS[4].width, "right"),
    pad(String(trace.delivered), COLUMNS[5].width, "right"),
    pad(formatDuration(trace.durationMs), COLUMNS[6].width, "right"),
    (failed ? color.red : color.green)(pad(outcomeLabel(row), COLUMNS[7].width)),
    payload,
  ]
    .join("  ")
    .trimEnd();
}
