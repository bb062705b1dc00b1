import { formatAgo, formatUptime } from "@/lib/dashboard/format";
import type { EventManager } from "@/lib/events/client";
import type { ClusterInfo, WireInstance } from "@/lib/events/protocol/frames";
import { CliError } from "./exit";
import { formatTable, type Column } from "./table";
import type { Terminal } from "./terminal";

/**
 * What `connections` shows, and the one place that knows where it comes from. The transport
 * lists its browser connections (`transport.connections()`) only on the server so far; until a
 * wire op lists them to monitors, this shows what a monitor's `describe` gives: each instance
 * with its connection, monitor and subscriber counts. A richer listing replaces `loadConnections`
 * and `printConnections` here, and nothing else.
 */
export interface ConnectionsView {
  source: "describe";
  cluster: ClusterInfo;
}

export async function loadConnections(events: EventManager): Promise<ConnectionsView> {
  const { cluster } = await events.describe();
  if (!cluster) throw new CliError("not_monitor", "The server gave no cluster view: this connection is not a monitor session");
  return { source: "describe", cluster };
}

const COLUMNS: Column[] = [
  { header: "INSTANCE" },
  { header: "STATE" },
  { header: "UP", align: "right" },
  { header: "CONNECTIONS", align: "right" },
  { header: "MONITORS", align: "right" },
  { header: "SUBSCRIPTIONS", align: "right" },
  { header: "SEEN" },
  { header: "SUBSCRIBERS" },
];

/** A table, one instance per row; with `json`, one instance per line as JSON (the wire's record). */
export function printConnections(view: ConnectionsView, terminal: Terminal, options: { json?: boolean; self?: string; now?: number } = {}): void {
  const { cluster } = view;
  if (options.json) {
    for (const instance of cluster.instances) terminal.out(JSON.stringify({ ...instance, adapter: cluster.adapter }));
    return;
  }
  const c = terminal.color;
  const now = options.now ?? Date.now();
  const rows = cluster.instances.map((instance) => [
    { text: `${instance.id}${instance.id === options.self ? " (this one)" : ""}`, paint: c.bold },
    { text: instance.state, paint: instance.state === "ready" ? c.green : c.red },
    formatUptime(now - instance.startedAt),
    String(instance.connections),
    String(instance.monitors),
    String(subscriptions(instance)),
    formatAgo(instance.seenAt, now),
    { text: subscriberList(instance), paint: c.dim },
  ]);
  for (const line of formatTable(COLUMNS, rows, c)) terminal.out(line);
  const where = cluster.adapter === "redis" ? `${cluster.instances.length} instance(s) sharing the bus through Redis (${cluster.state})` : "one instance, in memory";
  terminal.note(terminal.noteColor.dim(`${where}; connections are browser WebSockets (monitors: dashboards and this CLI) — per-connection detail is not on the wire yet`));
}

function subscriptions(instance: WireInstance): number {
  return Object.values(instance.subscribers).reduce((sum, count) => sum + count, 0);
}

/** `model:created 3, demo:ping 1`. */
function subscriberList(instance: WireInstance): string {
  return Object.entries(instance.subscribers)
    .filter(([, count]) => count > 0)
    .map(([name, count]) => `${name} ${count}`)
    .join(", ");
}
