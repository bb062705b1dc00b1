"use client";

import { formatClock, formatDuration } from "@/lib/dashboard/format";
import { Badge, FlagBadges } from "../ui/badge";
import { buttonClass } from "../ui/styles";
import { useDashboard, useDashboardActions } from "../dashboard/store-context";
import { JsonTree } from "../json/json-tree";
import { SpanWaterfall } from "./span-waterfall";
import { outcomeLabel, sourceLabel } from "./trace-labels";

/** The selected trace: its fields, the payload as a tree, a request's reply, the error. */
export function TraceDetail() {
  const row = useDashboard((state) => state.selected);
  const { select, setFilters, replay, editTrace } = useDashboardActions();
  const canFire = useDashboard((state) => state.client !== null && !state.firing && state.imported === null);

  if (!row) {
    return (
      <aside aria-label="Trace detail" className="p-4 text-sm text-slate-600 dark:text-slate-400">
        Select a trace to see its payload, a request&apos;s reply and any error.
      </aside>
    );
  }
  const { trace } = row;
  const facts: [string, string][] = [
    ["kind", trace.kind],
    ["id", trace.id],
    ["time", formatClock(trace.at)],
    ["source", sourceLabel(trace.source)],
    ["handlers", String(trace.handlers)],
    ["browsers reached", String(trace.delivered)],
    ["duration", formatDuration(trace.durationMs)],
    ["instance", trace.instance],
    ...(trace.replayOf !== undefined ? [["replay of", trace.replayOf] as [string, string]] : []),
  ];

  return (
    <aside aria-label="Trace detail" className="flex min-w-0 flex-col gap-3 overflow-auto p-4 text-sm" data-testid="trace-detail">
      <div className="flex items-start justify-between gap-2">
        <div className="min-w-0">
          <h3 className="truncate font-mono text-sm font-semibold">{trace.name}</h3>
          <div className="mt-1 flex flex-wrap gap-1">
            <FlagBadges internal={trace.internal} />
            <Badge tone={row.outcome === "ok" ? "ok" : "error"}>{outcomeLabel(row)}</Badge>
          </div>
        </div>
        <button type="button" className={buttonClass("secondary", "sm")} onClick={() => select(null)}>
          Close
        </button>
      </div>
      {/* The row's Replay and Edit, here too: the row's own may be scrolled out of view beside the detail. */}
      <div className="flex gap-1">
        <button type="button" className={buttonClass("secondary", "sm")} disabled={!canFire} onClick={() => void replay(trace)} aria-label={`Replay this ${trace.kind} with the same payload`}>
          Replay
        </button>
        <button
          type="button"
          className={buttonClass("secondary", "sm")}
          onClick={() => {
            editTrace(trace);
            document.getElementById("fire")?.scrollIntoView({ block: "nearest" });
          }}
          aria-label="Edit and fire: this name and payload in the Fire panel"
        >
          Edit and fire
        </button>
      </div>
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs">
        {facts.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-slate-600 dark:text-slate-400">{label}</dt>
            <dd className="truncate font-mono">{value}</dd>
          </div>
        ))}
      </dl>
      {trace.source.startsWith("client:") ? (
        <button type="button" className={`${buttonClass("secondary", "sm")} self-start`} onClick={() => setFilters({ source: trace.source })}>
          Only this browser
        </button>
      ) : null}
      {trace.error !== null ? (
        <section aria-label="Error" className="rounded-md border border-rose-200 bg-rose-50 p-2 text-xs text-rose-900 dark:border-rose-900 dark:bg-rose-950/60 dark:text-rose-200">
          <div className="font-semibold">{trace.code ?? "error"}</div>
          <p className="whitespace-pre-wrap break-words">{trace.error}</p>
        </section>
      ) : null}
      <SpanWaterfall trace={trace} />
      <section aria-label="Payload">
        <h4 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400">Payload</h4>
        <JsonTree value={trace.data} />
      </section>
      {trace.kind === "request" && trace.error === null ? (
        <section aria-label="Reply">
          <h4 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400">Reply</h4>
          <JsonTree value={trace.result} />
        </section>
      ) : null}
    </aside>
  );
}
