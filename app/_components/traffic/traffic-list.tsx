"use client";

import Link from "next/link";
import { useCallback, useEffect, useMemo, useRef } from "react";
import { findOriginal } from "@/lib/dashboard/replay";
import { activeFilterCount, EMPTY_FILTERS, traceMatcher } from "@/lib/dashboard/trace-filters";
import { buttonClass } from "../ui/styles";
import { useDashboard, useDashboardActions } from "../dashboard/store-context";
import { TRAFFIC_GRID } from "./trace-labels";
import { ROW_ACTIONS_WIDTH, TraceRowView, type RowActions } from "./trace-row-view";
import { useVirtualRows } from "./use-virtual-rows";

export const ROW_HEIGHT = 32;
const HEADERS = ["Time", "Kind", "Name", "Source", "Payload", "Handlers", "Browsers", "Duration", "Outcome"];

/** The live traffic, newest first; only the rows in view are in the DOM. */
export function TrafficList() {
  const rows = useDashboard((state) => state.rows);
  const filters = useDashboard((state) => state.filters);
  const selectedSeq = useDashboard((state) => state.selected?.seq ?? null);
  const canFire = useDashboard((state) => state.client !== null && !state.firing && state.imported === null);
  const { select, setFilters, replay, editTrace } = useDashboardActions();
  const shown = useMemo(() => (activeFilterCount(filters) ? rows.filter(traceMatcher(filters)) : rows), [rows, filters]);
  const { scrollerRef, onScroll, range } = useVirtualRows(shown.length, ROW_HEIGHT);
  const scroller = useRef<HTMLDivElement | null>(null);
  const setScroller = useCallback(
    (element: HTMLDivElement | null) => {
      scroller.current = element;
      scrollerRef(element);
    },
    [scrollerRef],
  );
  // The rows' actions stay the same object while traffic flows (rows are memoised on it): they
  // read the list as it is when clicked.
  const shownNow = useRef(shown);
  useEffect(() => {
    shownNow.current = shown;
  }, [shown]);
  const actions = useMemo<RowActions>(
    () => ({
      onSelect: (row) => select(row),
      onReplay: (row) => void replay(row.trace),
      onEdit: (row) => {
        editTrace(row.trace);
        revealFirePanel();
      },
      onOriginal: (row) => {
        const list = shownNow.current;
        const original = row.trace.replayOf === undefined ? undefined : findOriginal(list, row.trace.replayOf);
        if (!original) return;
        select(original);
        const index = list.indexOf(original);
        // Into view, a row below the sticky header; the virtual list renders it there.
        if (scroller.current) scroller.current.scrollTop = Math.max(0, index * ROW_HEIGHT - ROW_HEIGHT);
      },
    }),
    [select, replay, editTrace],
  );

  return (
    <div className="flex min-h-0 min-w-0 flex-1 flex-col">
      <div ref={setScroller} onScroll={onScroll} className="h-[22rem] overflow-auto [contain:strict]" data-testid="traffic-scroller">
        <div className="min-w-[71rem]">
          {/* Visual only: each row's accessible name says what every value is (see traceRowLabel). */}
          <div className="sticky top-0 z-10 flex border-b border-slate-200 bg-white py-1.5 text-[11px] font-medium uppercase tracking-wide text-slate-600 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400" aria-hidden="true">
            <div className={`${TRAFFIC_GRID} min-w-0 flex-1 px-3`}>
              {HEADERS.map((header, index) => (
                <span key={header} className={index >= 5 && index <= 7 ? "text-right" : ""}>
                  {header}
                </span>
              ))}
            </div>
            <span className={`${ROW_ACTIONS_WIDTH} shrink-0 pl-1.5`}>Actions</span>
          </div>
          {shown.length === 0 ? (
            <EmptyTraffic anyRows={rows.length > 0} onReset={() => setFilters(EMPTY_FILTERS)} />
          ) : (
            <div style={{ height: range.height, position: "relative" }}>
              <ol aria-label="Traces, newest first" className="absolute inset-x-0" style={{ top: range.offset }}>
                {shown.slice(range.start, range.end).map((row, index) => (
                  <TraceRowView
                    key={row.seq}
                    row={row}
                    selected={row.seq === selectedSeq}
                    height={ROW_HEIGHT}
                    position={range.start + index + 1}
                    size={shown.length}
                    actions={actions}
                    originalShown={row.trace.replayOf !== undefined && findOriginal(shown, row.trace.replayOf) !== undefined}
                    canFire={canFire}
                  />
                ))}
              </ol>
            </div>
          )}
        </div>
      </div>
    </div>
  );
}

/** "Edit and fire": the Fire panel into view, its payload editor focused. */
function revealFirePanel(): void {
  const panel = document.getElementById("fire");
  panel?.scrollIntoView({ block: "nearest" });
  panel?.querySelector<HTMLElement>("textarea, input, select")?.focus({ preventScroll: true });
}

function EmptyTraffic({ anyRows, onReset }: { anyRows: boolean; onReset: () => void }) {
  if (anyRows) {
    return (
      <div className="flex flex-col items-start gap-2 p-6 text-sm text-slate-600 dark:text-slate-400">
        <p>No trace matches the filters.</p>
        <button type="button" className={buttonClass("secondary", "sm")} onClick={onReset}>
          Reset filters
        </button>
      </div>
    );
  }
  return (
    <p className="p-6 text-sm text-slate-600 dark:text-slate-400">
      No traffic yet — add a model on{" "}
      <Link href="/demo" className="font-medium text-sky-700 underline dark:text-sky-400">
        /demo
      </Link>{" "}
      or fire an event. Every trigger and request in the app shows here as it happens, internal ones included.
    </p>
  );
}
