import { ForbiddenError } from "../../shared/errors";
import type { Connection } from "../connection";
import type { OpPort } from "./port";

/** A name or pattern the connection does not hold yet must fit under EVENTS_MAX_SUBSCRIPTIONS (a pattern counts as one). */
export function checkSubscriptionCap(port: OpPort, connection: Connection, key: string): void {
  const held = port.subscribers.countOf(connection);
  if (held < port.settings.maxSubscriptions || port.subscribers.has(connection, key)) return;
  throw new ForbiddenError(`This connection already holds ${held} subscriptions, the most allowed (EVENTS_MAX_SUBSCRIPTIONS); unsubscribe from one first`);
}
