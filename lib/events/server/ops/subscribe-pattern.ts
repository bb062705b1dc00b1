import type { ReplayFrom } from "../../core/adapter";
import { formatEventId } from "../../protocol/event-id";
import type { PatternSubscribed, SinceByName, SubscribeOp, UnsubscribeOp } from "../../protocol/frames";
import { matchesPrefix, parsePattern } from "../../protocol/name-pattern";
import { BadRequestError } from "../../shared/errors";
import type { Connection } from "../connection";
import { eventFrame } from "../frames";
import type { OpPort } from "./port";
import { ok } from "./replies";
import { checkSubscriptionCap } from "./subscription-cap";

/**
 * Subscribes to a pattern (`model:*`): every public name it matches, now and declared later,
 * each through its authorize hook (a refused name is left out, silently; internal names never
 * match). The answer lists the names that match now with their `last`; with `since` (name → id)
 * each is recovered as a concrete subscription would be, and a name `since` lacks appeared after
 * the client subscribed, so its whole history is owed. Names the connection already receives (by
 * name or another pattern) are only listed: each event goes to a connection once.
 */
export async function subscribePattern(port: OpPort, connection: Connection, op: SubscribeOp): Promise<void> {
  const prefix = prefixOf(op.event);
  checkSubscriptionCap(port, connection, op.event);
  const matching = port.bus.snapshot().filter((info) => info.kind === "event" && !info.internal && matchesPrefix(prefix, info.name));
  const declarations = matching.map((info) => port.bus.lookup(info.name, "event"));
  const verdicts = await Promise.all(declarations.map((declaration) => port.gate.admits(connection, declaration)));
  if (!connection.open) return;
  checkSubscriptionCap(port, connection, op.event);
  const admitted = declarations.filter((_, index) => verdicts[index] === true).map((declaration) => declaration.name);
  const alreadyReceived = new Set(admitted.filter((name) => port.subscribers.recipientsOf(name).byName?.has(connection) || port.subscribers.recipientsOf(name).byPattern.includes(connection)));
  port.subscribers.addPattern(connection, prefix);
  const fresh = admitted.filter((name) => !alreadyReceived.has(name));
  for (const name of fresh) connection.hold(name);
  const since = typeof op.since === "object" ? op.since : undefined;
  let replies: ReplayFrom[];
  try {
    replies = await Promise.all(admitted.map((name) => port.bus.adapter.since(name, fresh.includes(name) ? sinceOf(port, since, name) : undefined)));
  } catch (error) {
    for (const name of fresh) connection.release(name, undefined);
    port.subscribers.removePattern(connection, prefix);
    throw error;
  }
  const events: PatternSubscribed["events"] = admitted.map((name, index) => {
    const from = replies[index]!;
    return since && fresh.includes(name) ? { event: name, recovered: from.recovered, last: from.last } : { event: name, last: from.last };
  });
  ok(connection, op.ref, { events });
  admitted.forEach((name, index) => {
    if (!fresh.includes(name)) return;
    const from = replies[index]!;
    if (since) port.counters.recoveries[from.recovered ? "recovered" : "unrecovered"]++;
    if (since && !from.recovered) {
      port.counters.gaps.history++;
      connection.send({ type: "gap", event: name, missed: from.missed, reason: "history" });
    }
    for (const stored of from.events) connection.write(eventFrame(name, stored.id, stored.json));
    connection.release(name, from.events.at(-1)?.id ?? from.last);
  });
}

export function unsubscribePattern(port: OpPort, connection: Connection, op: UnsubscribeOp): void {
  const prefix = prefixOf(op.event);
  port.subscribers.removePattern(connection, prefix);
  port.gate.forget(connection, prefix);
  ok(connection, op.ref, {});
}

function prefixOf(pattern: string): string {
  const check = parsePattern(pattern);
  if (!check.ok) throw new BadRequestError(check.problem);
  return check.prefix;
}

/** A name the client saw resumes after its id; a name it never saw has its whole history owed. */
function sinceOf(port: OpPort, since: SinceByName | undefined, name: string): string | undefined {
  if (!since) return undefined;
  return since[name] ?? formatEventId(port.bus.adapter.epoch, 0);
}
