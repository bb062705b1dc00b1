"use client";

import { formatDuration } from "@/lib/dashboard/format";
import { oneLine } from "@/lib/dashboard/trace-row";
import { layoutWaterfall } from "@/lib/dashboard/waterfall";
import type { TraceFrame } from "@/lib/events/protocol/frames";
import { Badge } from "../ui/badge";

const heading = "mb-1 text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400";

/**
 * A trace's handlers as bars on one time axis from its start: each with its label, duration and
 * outcome; the slowest marked; a failure in red with its code, message and (this is a monitor
 * session) the server-side stack behind a disclosure. Each bar is an image with its sentence.
 */
export function SpanWaterfall({ trace }: { trace: TraceFrame }) {
  if (trace.spans === undefined) {
    return (
      <section aria-label="Handler spans">
        <h4 className={heading}>Handlers</h4>
        <p className="text-xs text-slate-600 dark:text-slate-400">No spans: this trace comes from a server (or a recording) that predates them.</p>
      </section>
    );
  }
  if (trace.spans.length === 0) {
    return (
      <section aria-label="Handler spans">
        <h4 className={heading}>Handlers</h4>
        <p className="text-xs text-slate-600 dark:text-slate-400">No handler ran.</p>
      </section>
    );
  }
  const { bars, axisMs } = layoutWaterfall(trace.spans, trace.durationMs, formatDuration, trace.instance);
  return (
    <section aria-label="Handler spans" data-testid="span-waterfall">
      <h4 className={heading}>Handlers</h4>
      <div aria-hidden="true" className="flex justify-between text-[10px] tabular-nums text-slate-600 dark:text-slate-400">
        <span>0</span>
        <span>{formatDuration(axisMs / 2)}</span>
        <span>{formatDuration(axisMs)}</span>
      </div>
      <ol className="flex flex-col gap-1.5">
        {bars.map((bar, index) => (
          <li key={index} className="text-xs" data-testid="span" data-outcome={bar.span.outcome} data-slowest={bar.slowest ? "true" : undefined}>
            <div className="flex items-baseline justify-between gap-2">
              <span className="min-w-0 truncate font-mono" title={bar.span.source ?? undefined}>
                {bar.span.handler}
                {bar.span.instance !== trace.instance ? <span className="text-slate-600 dark:text-slate-400"> @{bar.span.instance}</span> : null}
              </span>
              <span className="flex shrink-0 items-center gap-1 tabular-nums">
                {bar.slowest ? <Badge tone="info">slowest</Badge> : null}
                {bar.failed ? <Badge tone="error">{bar.span.code ?? "error"}</Badge> : null}
                {formatDuration(bar.span.durationMs)}
              </span>
            </div>
            <div className="relative mt-0.5 h-2.5 rounded-sm bg-slate-100 dark:bg-slate-800">
              <div
                role="img"
                aria-label={bar.text}
                title={bar.text}
                className={`absolute inset-y-0 rounded-sm ${bar.failed ? "bg-rose-600 dark:bg-rose-500" : bar.slowest ? "bg-amber-600" : "bg-sky-600 dark:bg-sky-500"}`}
                style={{ left: `${bar.left}%`, width: `${bar.width}%` }}
              />
            </div>
            {bar.failed ? (
              <div className="mt-1 rounded border border-rose-200 bg-rose-50 p-1.5 text-rose-900 dark:border-rose-900 dark:bg-rose-950/60 dark:text-rose-200">
                <p className="whitespace-pre-wrap break-words">{bar.span.message}</p>
                {bar.span.stack ? (
                  <details className="mt-1">
                    <summary className="cursor-pointer select-none">Server stack</summary>
                    <pre className="mt-1 max-h-48 overflow-auto whitespace-pre text-[10px] leading-snug">{bar.span.stack}</pre>
                  </details>
                ) : null}
              </div>
            ) : null}
            {"value" in bar.span ? <div className="truncate font-mono text-[10px]">→ {oneLine(bar.span.value)}</div> : null}
            {bar.span.source ? <div className="font-mono text-[10px] text-slate-600 dark:text-slate-400">{bar.span.source}</div> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
