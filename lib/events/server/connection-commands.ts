import type { EventBus } from "../core/bus";
import { CloseCode } from "../protocol/close-codes";
import { MAX_LISTED_CONNECTIONS, type WireConnection } from "../protocol/frames";
import { matchesPrefix } from "../protocol/name-pattern";
import type { Connection } from "./connection";

/** What one instance answers to "connections". */
export interface LocalConnections {
  total: number;
  /** Without `instance`: the op adds the name each instance answered under. */
  connections: LocalConnection[];
}

export type LocalConnection = Omit<WireConnection, "instance">;

/** What the `connections` op asks every instance. */
export interface ConnectionsQuery {
  search?: string;
  limit: number;
}

/** What the `disconnect` op asks every instance: the one holding the connection closes it. */
export interface DisconnectCommand {
  connection: string;
  reason: string;
}

export const DEFAULT_LISTED_CONNECTIONS = 200;

interface Holder {
  connections(): Iterable<Connection>;
  subscriptionsOf(connection: Connection): string[];
}

/**
 * The instance commands behind the dashboard's Connections panel: each instance lists its own
 * browser connections and closes its own. Registered by the transport; returns the function that
 * unregisters them.
 */
export function answerConnectionCommands(bus: EventBus, holder: Holder): () => void {
  const stops = [
    bus.onInstanceCommand("connections", (data) => listConnections(holder, data as ConnectionsQuery)),
    bus.onInstanceCommand("disconnect", (data) => ({ closed: disconnect(holder, data as DisconnectCommand) })),
  ];
  return () => stops.forEach((stop) => stop());
}

async function listConnections(holder: Holder, query: ConnectionsQuery): Promise<LocalConnections> {
  const limit = Math.min(Math.max(1, Math.floor(query.limit) || DEFAULT_LISTED_CONNECTIONS), MAX_LISTED_CONNECTIONS);
  const wanted = typeof query.search === "string" ? query.search.trim().toLowerCase() : "";
  const all = [...holder.connections()].filter((connection) => connection.open);
  const described = await Promise.all(all.map((connection) => describeConnection(holder, connection)));
  const matching = wanted ? described.filter((connection) => matchesSearch(connection, wanted)) : described;
  matching.sort((a, b) => b.connectedAt - a.connectedAt);
  return { total: all.length, connections: matching.slice(0, limit) };
}

async function describeConnection(holder: Holder, connection: Connection): Promise<LocalConnection> {
  const status = connection.status();
  const { info } = await connection.member;
  return {
    id: status.id,
    origin: status.origin ?? null,
    address: status.address ?? null,
    userAgent: status.userAgent ?? null,
    connectedAt: status.connectedAt,
    monitor: status.monitor,
    subscriptions: holder.subscriptionsOf(connection),
    queued: status.queued,
    buffered: status.buffered,
    dropped: status.dropped,
    gapsSent: status.gapsSent,
    opsPerSecond: status.opsPerSecond,
    ...(info ? { member: info } : {}),
  };
}

/**
 * Whether `wanted` (lower case) is in any of the connection's fields, or is an event name one of
 * its patterns covers: searching for `model:created` finds the connections it reaches.
 */
function matchesSearch(connection: LocalConnection, wanted: string): boolean {
  const fields = [connection.id, connection.origin, connection.address, connection.userAgent, ...connection.subscriptions, connection.member ? JSON.stringify(connection.member) : ""];
  if (fields.join("\n").toLowerCase().includes(wanted)) return true;
  return connection.subscriptions.some((key) => key.endsWith("*") && matchesPrefix(key.slice(0, -1).toLowerCase(), wanted));
}

function disconnect(holder: Holder, command: DisconnectCommand): boolean {
  for (const connection of holder.connections()) {
    if (connection.id !== command.connection || !connection.open) continue;
    connection.close(CloseCode.DisconnectedByOperator, command.reason);
    return true;
  }
  return false;
}
