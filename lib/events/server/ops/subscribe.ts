import type { ReplayFrom } from "../../core/adapter";
import type { SubscribeOp, UnsubscribeOp } from "../../protocol/frames";
import type { Connection } from "../connection";
import { eventFrame } from "../frames";
import { isPattern } from "../../protocol/name-pattern";
import { subscribePattern, unsubscribePattern } from "./subscribe-pattern";
import { checkSubscriptionCap } from "./subscription-cap";
import { ForbiddenError } from "../../shared/errors";
import type { OpPort } from "./port";
import { ok } from "./replies";
import { authorize, lookup } from "./visibility";

/**
 * Subscribes, and replays what the client missed since `since`. Live events that arrive while
 * the replay is fetched (the history may be in Redis) are held back and delivered after it: the
 * client sees ok, then any gap, then the missed events, then live ones, each once.
 */
export async function subscribe(port: OpPort, connection: Connection, op: SubscribeOp): Promise<void> {
  if (isPattern(op.event)) return subscribePattern(port, connection, op);
  const declaration = lookup(port, connection, op.event, "event");
  if (op.presence && !declaration.presence) throw new ForbiddenError(`"${op.event}" is not presence-tracked: there is no one to hear come and go`);
  checkSubscriptionCap(port, connection, op.event);
  const authorizing = authorize(port, connection, declaration, "subscribe");
  if (authorizing) await authorizing;
  // The hook may have taken a while: the connection may be gone, and other subscribes of the
  // same read may have filled the cap meanwhile.
  if (!connection.open) return;
  checkSubscriptionCap(port, connection, op.event);
  // Subscribing again to a name it holds, the connection is owed every live event held meanwhile,
  // even those the `last` it is about to be told already counts (on Redis an event can be
  // published before that read and reach this instance while it waits): without `since` none is
  // replayed, so all of them go out.
  const resubscribed = port.subscribers.has(connection, op.event) && op.since === undefined;
  port.subscribers.add(connection, op.event);
  connection.hold(op.event);
  let from: ReplayFrom;
  try {
    from = await port.bus.adapter.since(op.event, typeof op.since === "string" ? op.since : undefined);
  } catch (error) {
    connection.release(op.event, undefined);
    port.subscribers.remove(connection, op.event);
    throw error;
  }
  ok(connection, op.ref, typeof op.since !== "string" ? { last: from.last } : { recovered: from.recovered, last: from.last });
  if (declaration.presence) await joinPresence(port, connection, op);
  if (op.since !== undefined) port.counters.recoveries[from.recovered ? "recovered" : "unrecovered"]++;
  if (op.since !== undefined && !from.recovered) {
    port.counters.gaps.history++;
    connection.send({ type: "gap", event: op.event, missed: from.missed, reason: "history" });
  }
  for (const stored of from.events) connection.write(eventFrame(op.event, stored.id, stored.json));
  connection.release(op.event, resubscribed ? undefined : (from.events.at(-1)?.id ?? from.last));
}

export function unsubscribe(port: OpPort, connection: Connection, op: UnsubscribeOp): void {
  if (isPattern(op.event)) return unsubscribePattern(port, connection, op);
  const declaration = lookup(port, connection, op.event, "event");
  port.subscribers.remove(connection, op.event);
  if (declaration.presence) {
    port.presence.unwatch(connection, op.event);
    port.bus.presenceLeave(op.event, connection.id);
  }
  ok(connection, op.ref, {});
}

/**
 * A subscriber of a presence-tracked event is a member (as the identify hook said when it
 * connected); one that asked for presence then hears who is there already, and later who comes
 * and goes. Right after the subscribe's answer, before any replay.
 */
async function joinPresence(port: OpPort, connection: Connection, op: SubscribeOp): Promise<void> {
  port.bus.presenceJoin(op.event, await connection.member);
  if (!connection.open) return;
  if (op.presence) port.presence.watch(connection, op.event, port.bus.presence(op.event).members);
}
