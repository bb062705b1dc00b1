import { formatAgo } from "@/lib/dashboard/format";
import { connectionLabel, connectionsSummary } from "@/lib/dashboard/operator";
import type { ConnectionsResult, EventManager } from "@/lib/events/client";
import { formatTable, type Column } from "./table";
import type { Terminal } from "./terminal";

/** What `connections` asks: the server's `connections` op (a monitor session's), every instance. */
export function loadConnections(events: EventManager, options: { search?: string; limit?: number }): Promise<ConnectionsResult> {
  return events.connections(options);
}

const COLUMNS: Column[] = [
  { header: "CONNECTION" },
  { header: "INSTANCE" },
  { header: "WHO" },
  { header: "ORIGIN" },
  { header: "ADDRESS" },
  { header: "SINCE" },
  { header: "QUEUED", align: "right" },
  { header: "DROPPED", align: "right" },
  { header: "GAPS", align: "right" },
  { header: "OPS/S", align: "right" },
  { header: "SUBSCRIPTIONS" },
];

/**
 * A table, one connection per row, and on stderr how many of how many (and which instance did not
 * answer); with `json`, one connection per line as the wire gives it.
 */
export function printConnections(result: ConnectionsResult, terminal: Terminal, options: { json?: boolean; search?: string; now?: number } = {}): void {
  if (options.json) {
    for (const connection of result.connections) terminal.out(JSON.stringify(connection));
  } else {
    const c = terminal.color;
    const now = options.now ?? Date.now();
    const rows = result.connections.map((connection) => [
      { text: connection.id, paint: c.bold },
      connection.instance,
      { text: connection.monitor ? `${connectionLabel(connection)} (monitor)` : connectionLabel(connection), paint: connection.monitor ? c.dim : undefined },
      connection.origin ?? "—",
      connection.address ?? "—",
      formatAgo(connection.connectedAt, now),
      String(connection.queued),
      { text: String(connection.dropped), paint: connection.dropped ? c.red : undefined },
      String(connection.gapsSent),
      connection.opsPerSecond.toFixed(1),
      { text: connection.subscriptions.join(" ") || "—", paint: c.dim },
    ]);
    for (const line of formatTable(COLUMNS, rows, c)) terminal.out(line);
  }
  const silent = result.instances.some((instance) => "error" in instance);
  const summary = connectionsSummary(result.connections.length, result.instances, options.search ?? "");
  terminal.note(silent ? terminal.noteColor.red(summary) : terminal.noteColor.dim(summary));
}
