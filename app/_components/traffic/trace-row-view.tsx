"use client";

import { memo } from "react";
import { formatClock, formatDuration } from "@/lib/dashboard/format";
import { traceRowLabel, type TraceRow } from "@/lib/dashboard/trace-row";
import { Badge } from "../ui/badge";
import { outcomeLabel, sourceLabel, TRAFFIC_GRID } from "./trace-labels";

/** One trace in the list: a button that opens its detail. Memoised: rows do not change once made. */
export const TraceRowView = memo(function TraceRowView({
  row,
  selected,
  height,
  position,
  size,
  onSelect,
}: {
  row: TraceRow;
  selected: boolean;
  height: number;
  position: number;
  size: number;
  onSelect: (row: TraceRow) => void;
}) {
  const { trace } = row;
  return (
    <li style={{ height }} className="[contain:strict]" aria-posinset={position} aria-setsize={size} data-kind={trace.kind} data-name={trace.name}>
      <button
        type="button"
        onClick={() => onSelect(row)}
        aria-pressed={selected}
        // The column headers are visual only: the row says what each value is.
        aria-label={traceRowLabel(row, formatClock, formatDuration)}
        className={`${TRAFFIC_GRID} h-full w-full border-b border-slate-100 px-3 text-left text-xs hover:bg-slate-50 dark:border-slate-800/70 dark:hover:bg-slate-800/60 ${
          selected ? "bg-sky-50 dark:bg-sky-950/50" : ""
        }`}
      >
        <span className="font-mono tabular-nums text-slate-600 dark:text-slate-400">{formatClock(trace.at)}</span>
        <span>{trace.kind}</span>
        <span className="flex min-w-0 items-center gap-1">
          <span className="truncate font-mono">{trace.name}</span>
          {trace.internal ? <Badge tone="internal">internal</Badge> : null}
        </span>
        <span className="truncate" title={`${trace.source} on instance ${trace.instance}`}>{sourceLabel(trace.source)}</span>
        <span className="truncate font-mono text-slate-600 dark:text-slate-300">{row.preview}</span>
        <span className="text-right tabular-nums">{trace.handlers}</span>
        {/* Requests reach no browser: "—", as in the registry, not a count of 0. */}
        <span className="text-right tabular-nums">{trace.kind === "request" ? "—" : trace.delivered}</span>
        <span className="text-right tabular-nums">{formatDuration(trace.durationMs)}</span>
        <span className="truncate">
          <Badge tone={row.outcome === "ok" ? "ok" : "error"}>{outcomeLabel(row)}</Badge>
        </span>
      </button>
    </li>
  );
});
