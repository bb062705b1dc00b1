import type { ConnectionsOfInstance, ConnectionsOp, WireConnection } from "../../protocol/frames";
import { DEFAULT_LISTED_CONNECTIONS, type ConnectionsQuery, type LocalConnections } from "../connection-commands";
import type { Connection } from "../connection";
import { requireMonitor } from "./monitor-only";
import type { OpPort } from "./port";
import { ok } from "./replies";

/** How long an instance may take to list its connections before the answer goes without it. */
export const INSTANCE_COMMAND_TIMEOUT_MS = 2_000;

/** Monitor sessions: the browser connections of every instance, newest first, and how each instance answered. */
export async function connections(port: OpPort, connection: Connection, op: ConnectionsOp): Promise<void> {
  requireMonitor(connection, op.type);
  const query: ConnectionsQuery = { limit: op.limit ?? DEFAULT_LISTED_CONNECTIONS, ...(op.search ? { search: op.search } : {}) };
  const replies = await port.bus.askInstances<LocalConnections>("connections", query, INSTANCE_COMMAND_TIMEOUT_MS);
  const found: WireConnection[] = [];
  const instances: ConnectionsOfInstance[] = replies.map((reply) => {
    if (!reply.ok) return { instance: reply.instance, error: reply.error.message };
    for (const local of reply.value.connections) found.push({ ...local, instance: reply.instance });
    return { instance: reply.instance, total: reply.value.total, listed: reply.value.connections.length };
  });
  found.sort((a, b) => b.connectedAt - a.connectedAt);
  ok(connection, op.ref, { connections: found, instances });
}
