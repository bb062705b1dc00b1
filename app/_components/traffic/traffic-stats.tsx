"use client";

import { formatRate } from "@/lib/dashboard/format";
import { TRACE_CAPACITY } from "@/lib/dashboard/store";
import { useDashboard } from "../dashboard/store-context";

/** Received, kept, the current rate, and what the server had to drop for this dashboard. */
export function TrafficStats() {
  const received = useDashboard((state) => state.received);
  const kept = useDashboard((state) => state.rows.length);
  const dropped = useDashboard((state) => state.dropped);
  const perSecond = useDashboard((state) => state.rate.at(-2) ?? 0);

  return (
    <dl className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600 dark:text-slate-400">
      <Stat label="received" value={received.toLocaleString("en")} testId="received-count" />
      <Stat label="listed" value={`${kept.toLocaleString("en")} of ${TRACE_CAPACITY.toLocaleString("en")} max`} />
      <Stat label="last second" value={formatRate(perSecond)} />
      <Stat
        label="dropped by the server"
        value={`${dropped.count.toLocaleString("en")}${dropped.unknown ? "+" : ""}`}
        warn={dropped.count > 0 || dropped.unknown}
        testId="dropped-count"
      />
    </dl>
  );
}

function Stat({ label, value, warn = false, testId }: { label: string; value: string; warn?: boolean; testId?: string }) {
  return (
    <div className="flex gap-1">
      <dt>{label}</dt>
      <dd data-testid={testId} className={`font-medium tabular-nums ${warn ? "text-amber-700 dark:text-amber-400" : "text-slate-900 dark:text-slate-100"}`}>
        {value}
      </dd>
    </div>
  );
}
