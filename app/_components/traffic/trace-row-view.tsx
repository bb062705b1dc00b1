"use client";

import { memo } from "react";
import { formatClock, formatDuration } from "@/lib/dashboard/format";
import { traceRowLabel, type TraceRow } from "@/lib/dashboard/trace-row";
import { Badge } from "../ui/badge";
import { outcomeLabel, sourceLabel, TRAFFIC_GRID } from "./trace-labels";

/** What a row can do besides opening its detail. */
export interface RowActions {
  onSelect: (row: TraceRow) => void;
  onReplay: (row: TraceRow) => void;
  onEdit: (row: TraceRow) => void;
  /** Selects and scrolls to a replay's original. */
  onOriginal: (row: TraceRow) => void;
}

const ACTION = "rounded px-1.5 py-0.5 text-[11px] font-medium text-sky-800 hover:bg-sky-50 focus-visible:outline-2 focus-visible:outline-sky-600 disabled:text-slate-400 dark:text-sky-300 dark:hover:bg-sky-950";

/**
 * One trace in the list: a button that opens its detail, then Replay and Edit; a replay also
 * links to its original (when the list still holds it). Memoised: rows do not change once made.
 */
export const TraceRowView = memo(function TraceRowView({
  row,
  selected,
  height,
  position,
  size,
  actions,
  originalShown,
  canFire,
}: {
  row: TraceRow;
  selected: boolean;
  height: number;
  position: number;
  size: number;
  actions: RowActions;
  /** For a replay: whether its original is in the list now. */
  originalShown: boolean;
  canFire: boolean;
}) {
  const { trace } = row;
  const { onSelect } = actions;
  return (
    <li
      style={{ height }}
      className={`relative flex items-center border-b border-slate-100 [contain:strict] hover:bg-slate-50 dark:border-slate-800/70 dark:hover:bg-slate-800/60 ${selected ? "bg-sky-50 dark:bg-sky-950/50" : ""}`}
      aria-posinset={position}
      aria-setsize={size}
      data-kind={trace.kind}
      data-name={trace.name}
      data-trace-id={trace.id}
      data-replay-of={trace.replayOf}
    >
      {/* The row's button lies over its cells: its name is the sentence (the column headers are
          visual only), and the cells it covers are drawn beside it, hidden from assistive tech. */}
      <button
        type="button"
        onClick={() => onSelect(row)}
        aria-pressed={selected}
        aria-label={traceRowLabel(row, formatClock, formatDuration)}
        className={`absolute inset-y-0 left-0 ${ROW_BUTTON_RIGHT} z-0 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-sky-600`}
      />
      <div aria-hidden="true" className={`${TRAFFIC_GRID} pointer-events-none h-full min-w-0 flex-1 px-3 text-left text-xs`}>
        <span className="font-mono tabular-nums text-slate-600 dark:text-slate-400">{formatClock(trace.at)}</span>
        <span>{trace.kind}</span>
        <span className="flex min-w-0 items-center gap-1">
          <span className="truncate font-mono">{trace.name}</span>
          {trace.internal ? <Badge tone="internal">internal</Badge> : null}
          {trace.replayOf !== undefined ? <Badge tone="info">replay</Badge> : null}
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
      </div>
      <span className={`${ROW_ACTIONS_WIDTH} relative z-10 flex shrink-0 items-center gap-0.5 pr-2`}>
        <button type="button" className={ACTION} disabled={!canFire} onClick={() => actions.onReplay(row)} aria-label={`Replay ${trace.kind} ${trace.name} (${trace.id || "refused"}) with the same payload`}>
          Replay
        </button>
        <button type="button" className={ACTION} onClick={() => actions.onEdit(row)} aria-label={`Edit and fire ${trace.name} with this payload`}>
          Edit
        </button>
        {trace.replayOf !== undefined ? (
          originalShown ? (
            <button type="button" className={ACTION} onClick={() => actions.onOriginal(row)} aria-label={`Go to the original of this replay, ${trace.replayOf}`} data-testid="replay-original">
              ↩ Original
            </button>
          ) : (
            <span className="px-1 text-[11px] text-slate-600 dark:text-slate-400" title={`The original, ${trace.replayOf}, is no longer in the list`}>
              original gone
            </span>
          )
        ) : null}
      </span>
    </li>
  );
});

/** The width of a row's actions; the header leaves the same room, and the row's button stops there. */
export const ROW_ACTIONS_WIDTH = "w-[12.5rem]";
const ROW_BUTTON_RIGHT = "right-[12.5rem]";
