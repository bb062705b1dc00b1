"use client";

import { formatUptime, secondsLeft } from "@/lib/dashboard/format";
import { useDashboard } from "../dashboard/store-context";

const DOT: Record<string, string> = {
  connected: "bg-emerald-500",
  connecting: "bg-amber-400",
  reconnecting: "bg-amber-500 animate-pulse",
  closed: "bg-slate-400",
};

/** The live connection's state (with a countdown to the next attempt), the server's instance and uptime. */
export function ConnectionBadge() {
  const connection = useDashboard((state) => state.connection);
  const now = useDashboard((state) => state.now);
  const server = useDashboard((state) => state.server);
  const monitor = useDashboard((state) => state.monitor);

  const { state, detail, changedAt } = connection;
  let label = "Connecting…";
  if (state === "connected") label = monitor.status === "unavailable" ? "Connected, not monitoring" : "Connected";
  else if (state === "reconnecting") label = "Reconnecting";
  else if (state === "closed") label = "Offline";
  // Shown, not announced: a status region that changed every second would be read every second.
  const countdown = state === "reconnecting" ? ` in ${secondsLeft(detail.retryInMs ?? 0, Math.max(0, now - changedAt))} s` : null;

  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
      <span className="inline-flex items-center gap-2 rounded-full border border-slate-200 px-3 py-1 dark:border-slate-700" data-testid="connection-state" data-state={state} data-monitor={monitor.status}>
        <span aria-hidden="true" className={`size-2.5 rounded-full ${DOT[state] ?? DOT.closed}`} />
        <span>
          <span role="status">{label}</span>
          {countdown ? <span aria-hidden="true">{countdown}</span> : null}
        </span>
      </span>
      {server.instance ? (
        <span className="text-xs text-slate-600 dark:text-slate-400">
          instance <span className="font-mono">{server.instance}</span>
          {server.startedAt ? ` · up ${formatUptime(now - server.startedAt)}` : null}
        </span>
      ) : null}
      {monitor.status === "unavailable" && monitor.message ? (
        <span role="alert" className="text-xs text-amber-700 dark:text-amber-400">
          {monitor.message}
        </span>
      ) : null}
    </div>
  );
}
