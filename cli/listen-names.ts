import { nameMatcher } from "@/lib/dashboard/trace-filters";
import { parsePattern } from "@/lib/events/protocol/name-pattern";
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
 * Subscribes to what `patterns` match, with real subscriptions: ids, per-name order, and
 * recovery with `since` after a reconnect, as a browser gets them. A name pattern the wire takes
 * (`model:*`, `*`) is subscribed as such, so names declared later arrive too; a dashboard-style
 * filter (a substring, `*:count`) is expanded here, once, against the registry (`describe`).
 * Internal events never reach a connection as events (a monitor sees them only as traces, which
 * have no recovery), so only public ones are listened to.
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
  // One handler for whatever the subscriptions bring (each event once, whichever of them covers
  // it), registered first: a replayed or live event that comes with the subscribe's answer finds it.
  events.registerHandler("*", (data, meta) => onEvent({ name: meta.event, id: meta.id, data }));
  const wirePatterns = patterns.filter((pattern) => parsePattern(pattern).ok);
  const expanded = names.filter((name) => !wirePatterns.some((pattern) => nameMatcher(pattern)(name)));
  await Promise.all([...wirePatterns, ...expanded].map((key) => events.subscribe(key, { onGap })));
  return { names, internal };
}
