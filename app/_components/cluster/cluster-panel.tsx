"use client";

import { formatAgo, formatUptime } from "@/lib/dashboard/format";
import { Badge } from "../ui/badge";
import { Panel } from "../ui/panel";
import { useDashboard } from "../dashboard/store-context";

const COLUMNS = ["Instance", "State", "Up", "Connections", "Subscriptions", "Dashboards", "Answers", "Seen"];

/** The app's instances (one, or several sharing the bus through Redis), with their connections and subscribers. */
export function ClusterPanel() {
  const cluster = useDashboard((state) => state.cluster);
  const now = useDashboard((state) => state.now);
  const self = useDashboard((state) => state.server.instance);

  if (!cluster) return null;
  const redis = cluster.adapter === "redis";
  const description = redis
    ? cluster.state === "ready"
      ? `${cluster.instances.length} instance${cluster.instances.length === 1 ? "" : "s"} sharing the bus through Redis; traffic from all of them shows below`
      : "Redis is unreachable: this instance delivers only to its own connections, and tells the others what they missed once it is back"
    : "One instance, history in memory (set EVENTS_REDIS_URL to run several)";

  return (
    <Panel
      id="cluster"
      title="Cluster"
      description={description}
      actions={
        <span data-testid="cluster-state" data-state={cluster.state}>
          <Badge tone={cluster.state === "ready" ? "ok" : "error"}>{redis ? `Redis · ${cluster.state}` : "in memory"}</Badge>
        </span>
      }
    >
      <div className="overflow-auto">
        <table className="w-full text-left text-sm">
          <thead className="bg-slate-50 text-xs text-slate-600 dark:bg-slate-900 dark:text-slate-400">
            <tr>
              {COLUMNS.map((column) => (
                <th key={column} scope="col" className="px-3 py-2 font-medium">
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {cluster.instances.map((instance) => {
              const subscriptions = Object.values(instance.subscribers).reduce((sum, count) => sum + count, 0);
              const answers = Object.keys(instance.queries);
              return (
                <tr key={instance.id} data-instance={instance.id} className="border-t border-slate-100 dark:border-slate-800">
                  <td className="px-3 py-2 font-mono">
                    {instance.id}
                    {instance.id === self ? <span className="ml-2 text-xs text-slate-600 dark:text-slate-400">(this one)</span> : null}
                  </td>
                  <td className="px-3 py-2">
                    <Badge tone={instance.state === "ready" ? "ok" : "error"}>{instance.state}</Badge>
                  </td>
                  <td className="px-3 py-2 tabular-nums">{formatUptime(now - instance.startedAt)}</td>
                  <td className="px-3 py-2 tabular-nums">{instance.connections}</td>
                  <td className="px-3 py-2 tabular-nums" title={Object.entries(instance.subscribers).map(([name, count]) => `${name}: ${count}`).join("\n")}>
                    {subscriptions}
                  </td>
                  <td className="px-3 py-2 tabular-nums">{instance.monitors}</td>
                  <td className="px-3 py-2 font-mono text-xs" title={answers.join("\n")}>
                    {answers.length === 0 ? "—" : `${answers.length} quer${answers.length === 1 ? "y" : "ies"}`}
                  </td>
                  <td className="px-3 py-2 text-xs text-slate-600 dark:text-slate-400">{formatAgo(instance.seenAt, now)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}
