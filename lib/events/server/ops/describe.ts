import type { InstanceInfo } from "../../core/adapter";
import type { DescribedName, DescribeOp, OkResults, WireInstance } from "../../protocol/frames";
import type { Connection } from "../connection";
import { isTransportStatus } from "../status";
import type { OpPort } from "./port";
import { ok } from "./replies";

/** Every name this connection may see; a monitor session also gets handlers, counters, subscribers and the cluster. */
export function describe(port: OpPort, connection: Connection, op: DescribeOp): void {
  ok(connection, op.ref, described(port, connection));
}

function described(port: OpPort, connection: Connection): OkResults["describe"] {
  const events: DescribedName[] = [];
  const queries: DescribedName[] = [];
  for (const info of port.bus.snapshot()) {
    if (info.internal && !connection.monitor) continue;
    const name: DescribedName = {
      name: info.name,
      kind: info.kind,
      internal: info.internal,
      singleton: info.singleton,
      schema: info.schema,
      description: info.description,
      ...(info.presence ? { presence: true } : {}),
      ...(connection.monitor ? { handlers: info.handlers, counters: info.counters, subscribers: info.internal ? 0 : port.subscribers.subscriberCount(info.name) } : {}),
    };
    (info.kind === "event" ? events : queries).push(name);
  }
  if (!connection.monitor) return { events, queries };
  const adapter = port.bus.adapter;
  return { events, queries, cluster: { adapter: adapter.kind, state: adapter.state, instances: adapter.instances().map(wireInstance) } };
}

/** An instance on the wire: what its server reported, read as a transport's status (zeros when it is none). */
function wireInstance(info: InstanceInfo): WireInstance {
  const status = isTransportStatus(info.status) ? info.status : { connections: 0, monitors: 0, subscribers: {} };
  return {
    id: info.id,
    startedAt: info.startedAt,
    seenAt: info.seenAt,
    state: info.state,
    connections: status.connections,
    monitors: status.monitors,
    subscribers: status.subscribers,
    queries: info.queries,
  };
}
