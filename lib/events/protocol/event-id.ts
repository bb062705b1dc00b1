/**
 * Event ids: `<epoch>-<seq>`. The epoch names one history (a process's memory, or a Redis
 * keyspace until it loses its data); seq counts the events of one name in it, from 1. An id of
 * another epoch cannot be compared with this history's: it is "foreign", and a client that
 * resubscribes with one is told that recovery is impossible.
 */
export interface EventId {
  epoch: string;
  seq: number;
}

export function formatEventId(epoch: string, seq: number): string {
  return `${epoch}-${seq}`;
}

/** `<epoch>-<seq>` → its parts; undefined for anything else (no dash, empty epoch, seq not a safe integer ≥ 0). */
export function parseEventId(id: string): EventId | undefined {
  const dash = id.lastIndexOf("-");
  if (dash <= 0) return undefined;
  const digits = id.slice(dash + 1);
  if (!/^\d{1,16}$/.test(digits)) return undefined;
  const seq = Number(digits);
  return Number.isSafeInteger(seq) ? { epoch: id.slice(0, dash), seq } : undefined;
}

/**
 * Whether `id` comes after `than` in the same history. An id of another history, or an
 * unreadable one, counts as newer: it must be delivered, never silently dropped as a duplicate.
 */
export function isNewerEventId(id: string, than: string | undefined): boolean {
  if (than === undefined) return true;
  const a = parseEventId(id);
  const b = parseEventId(than);
  if (!a || !b || a.epoch !== b.epoch) return true;
  return a.seq > b.seq;
}
