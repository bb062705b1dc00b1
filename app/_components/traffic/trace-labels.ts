import type { TraceRow } from "@/lib/dashboard/trace-row";

/** Who caused it, in words: the server, a browser connection, or this dashboard. */
export function sourceLabel(source: string): string {
  if (source === "monitor") return "dashboard";
  if (source.startsWith("client:")) return `browser ${source.slice("client:".length)}`;
  return source;
}

export function outcomeLabel(row: TraceRow): string {
  return row.outcome === "ok" ? "ok" : (row.trace.code ?? "error");
}

/** The columns of the traffic list: header and rows share them. */
export const TRAFFIC_GRID =
  "grid grid-cols-[6.5rem_4rem_minmax(9rem,1.4fr)_minmax(5.5rem,0.7fr)_minmax(8rem,1.7fr)_3.5rem_3.5rem_4.5rem_6.5rem] items-center gap-x-2";
