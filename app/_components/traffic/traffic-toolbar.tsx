"use client";

import { activeFilterCount, EMPTY_FILTERS, type TraceFilters } from "@/lib/dashboard/trace-filters";
import { buttonClass, inputClass } from "../ui/styles";
import { useDashboard, useDashboardActions } from "../dashboard/store-context";
import { RecordingControls } from "./recording-controls";
import { ReplayRecording } from "./replay-recording";

const selectClass = `${inputClass} py-1`;

/** Pause, resume, clear, record/export/import, and the filters (kept in the URL). */
export function TrafficToolbar() {
  const paused = useDashboard((state) => state.paused);
  const arrived = useDashboard((state) => state.arrivedWhilePaused);
  const filters = useDashboard((state) => state.filters);
  const importing = useDashboard((state) => state.imported !== null);
  const { pause, resume, clear, setFilters } = useDashboardActions();
  const set = (patch: Partial<TraceFilters>) => setFilters(patch);

  return (
    <div className="flex flex-wrap items-end gap-2 border-b border-slate-200 px-4 py-2 dark:border-slate-800">
      {/* The label says what a click does; aria-pressed as well would contradict it ("Resume, pressed"). */}
      {importing ? null : (
        <button type="button" className={buttonClass(paused ? "primary" : "secondary")} onClick={paused ? resume : pause}>
          {paused ? "Resume" : "Pause"}
        </button>
      )}
      <button type="button" className={buttonClass("secondary")} onClick={clear}>
        Clear
      </button>
      <RecordingControls />
      <ReplayRecording />
      {paused ? (
        <p role="status" className="rounded-md bg-amber-100 px-2 py-1 text-xs font-medium text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          Paused · <span data-testid="arrived-while-paused">{arrived}</span> new while paused
        </p>
      ) : null}
      <div className="ml-auto flex flex-wrap items-end gap-2" role="group" aria-label="Filters">
        <label className="flex flex-col text-[11px] font-medium text-slate-600 dark:text-slate-400">
          Name
          <input
            type="search"
            value={filters.name}
            onChange={(event) => set({ name: event.target.value })}
            placeholder="model:* or text"
            className={`${inputClass} w-40 py-1`}
          />
        </label>
        <label className="flex flex-col text-[11px] font-medium text-slate-600 dark:text-slate-400">
          Kind
          <select value={filters.kind} onChange={(event) => set({ kind: event.target.value as TraceFilters["kind"] })} className={selectClass}>
            <option value="">any</option>
            <option value="trigger">trigger</option>
            <option value="request">request</option>
          </select>
        </label>
        <label className="flex flex-col text-[11px] font-medium text-slate-600 dark:text-slate-400">
          Source
          <select value={filters.source} onChange={(event) => set({ source: event.target.value })} className={selectClass}>
            <option value="">any</option>
            <option value="server">server</option>
            <option value="client">browsers</option>
            <option value="monitor">dashboard</option>
            {filters.source.startsWith("client:") ? <option value={filters.source}>{`browser ${filters.source.slice(7)}`}</option> : null}
          </select>
        </label>
        <label className="flex flex-col text-[11px] font-medium text-slate-600 dark:text-slate-400">
          Outcome
          <select value={filters.outcome} onChange={(event) => set({ outcome: event.target.value as TraceFilters["outcome"] })} className={selectClass}>
            <option value="">any</option>
            <option value="ok">ok</option>
            <option value="error">error</option>
          </select>
        </label>
        {activeFilterCount(filters) ? (
          <button type="button" className={buttonClass("secondary")} onClick={() => setFilters(EMPTY_FILTERS)}>
            Reset
          </button>
        ) : null}
      </div>
    </div>
  );
}
