import { nameMatcher } from "@/lib/dashboard/trace-filters";
import type { EventManager, Gap } from "@/lib/events/client";
import { CliError } from "./exit";

/** One event as a subscription delivers it. */
export interface ListenedEvent {
  name: string;
  id: string;
  data: unknown;
}

export interface Listening {
  /** The public events subscribed to. */
  names: string[];
  /** Internal events that match too, which no connection receives as events. */
  internal: string[];
}

/**
 * Subscribes to what `patterns` match (substrings or `*` patterns, as in the dashboard), with
 * real subscriptions: ids, per-name order, and recovery with `since` after a reconnect, as a
 * browser gets them.
 *
 * The wire has no wildcard subscriptions yet, so the patterns are expanded here, once, against
 * the registry (`describe`): names declared later are not picked up. Internal events never reach
 * a connection as events (a monitor sees them only as traces, which have no recovery), so only
 * public ones are subscribed. When the server takes `subscribe("model:*")`, this function is
 * the one place that changes.
 */
export async function subscribeMatching(
  events: EventManager,
  patterns: readonly string[],
  onEvent: (event: ListenedEvent) => void,
  onGap: (gap: Gap) => void,
): Promise<Listening> {
  const matchers = patterns.map(nameMatcher);
  const described = await events.describe();
  const matching = described.events.filter((event) => matchers.some((matches) => matches(event.name)));
  const names = matching.filter((event) => !event.internal).map((event) => event.name).sort();
  const internal = matching.filter((event) => event.internal).map((event) => event.name).sort();
  if (names.length === 0) {
    const known = described.events.filter((event) => !event.internal).map((event) => event.name);
    throw new CliError("not_found", `No public event matches ${patterns.map((pattern) => JSON.stringify(pattern)).join(" or ")}`, {
      hint: `Public events: ${known.join(", ") || "none"}${internal.length ? `; internal ones (${internal.join(", ")}) never leave the server as events: \`webfluid-events tail\` shows their traces` : ""}`,
    });
  }
  // Handlers first: a replayed or live event that arrives with the subscribe's answer finds them.
  for (const name of names) events.registerHandler(name, (data, meta) => onEvent({ name: meta.event, id: meta.id, data }));
  await Promise.all(names.map((name) => events.subscribe(name, { onGap })));
  return { names, internal };
}
