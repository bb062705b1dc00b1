/**
 * "Nothing lost silently": every acked event id a reader should have seen was either received, or
 * is covered by a gap that answers the loss it was told about. A gap covers only the events of its
 * own window; a missing event outside every window is a silent loss, however many gaps came later.
 *
 * The reader's log, in the order its socket delivered the frames (chaos-clients.ts records it):
 * the `ok` of every subscribe (its `last`, and `recovered` when it carried `since`), every event id
 * handed to the handler (duplicates are dropped by the client before it), every gap. A new `ok`
 * starts a new connection: nothing of this name arrives between a disconnect and the next `ok`.
 *
 * Where a window starts and ends is given by ids, compared by seq within one history (ids are
 * `<epoch>-<seq>`, contiguous per name); an event of a history that neither end belongs to falls in
 * the window when it was acked between the two ends' arrival times.
 *
 * - A `history` gap right after the `ok` of a subscribe with `since` (`recovered: false`) answers
 *   that resubscribe: its window is (the last id the reader received before the connection was
 *   established — the `since` the client sent, or the first subscribe's `last` when it had none —,
 *   that `ok`'s `last`].
 * - An `overflow` gap came on a live connection whose queue dropped events: the queue holds what
 *   was not written yet, so the drops lie after the last event received before the gap and before
 *   the first received after it (drop-oldest sends the gap before the survivors). Window: (the
 *   last id received on this connection before the gap — its `ok`'s `last` when none —, the first
 *   id received after the gap on this connection), open at the top when nothing followed.
 * - Any other gap on a live connection is the Redis adapter's `history` gap: events the cluster
 *   could not deliver to this instance (another instance's events while Redis was lost, or a
 *   trimmed stream). Window: from this connection's previous such gap (the last id received
 *   before it), or its `ok`'s `last`, to the first id received after this gap.
 *
 * A gap with `missed: null` covers every missing event of its window; a counted gap covers at most
 * that many of them, earliest acked first (history evicts the oldest); what it could not spend is
 * over-reporting. Gaps are spent in the order they arrived.
 */
import { splitId } from "./wire-client";

export interface Acked {
  id: string;
  /** When the trigger's `ok` arrived (ms epoch, this process's clock). */
  at: number;
}

export interface SeenGap {
  missed: number | null;
  reason: string;
  at: number;
}

/** One line of a reader's log; `at` is when the reader saw it (ms epoch, this process's clock). */
export type ReaderEntry =
  /** The `ok` of a subscribe: `recovered` is there when the subscribe carried `since`. */
  | { kind: "subscribed"; at: number; last: string; recovered?: boolean }
  /** An event id the reader's handler received (each id once). */
  | { kind: "event"; at: number; id: string }
  | ({ kind: "gap" } & SeenGap);

/** Where a gap's window lies (exported for diagnosis and tests). */
export interface GapWindow {
  gap: SeenGap;
  /** The gap answers a resubscribe (`history` right after its `ok`), or came on a live connection. */
  answers: "resubscribe" | "live";
  /** Exclusive lower end: an id, and when the reader stood there. */
  after: { id: string; at: number };
  /** Upper end: an id, inclusive or not; none when nothing followed the gap on its connection. */
  upTo?: { id: string; inclusive: boolean };
  /** For events of other histories: acked at or before this time. */
  untilAt: number;
}

export interface Verdict {
  expected: number;
  received: number;
  missing: number;
  coveredByUnknownGap: number;
  coveredByCountedGap: number;
  silent: number;
  /** The first few silently lost ids, with their ack times, for diagnosis. */
  silentIds: Acked[];
  /** Silent losses by the history their ids belong to (the part before the last "-"). */
  silentByHistory: Record<string, number>;
  /** Received ids that no trigger acked (the ack was lost with the connection). */
  unacked: number;
  /** Gap counts that had no missing event in their window to cover (over-reporting: harmless, noted). */
  overReported: number;
}

/** The window of every gap in `log`, in the order the gaps arrived. */
export function gapWindows(log: readonly ReaderEntry[]): GapWindow[] {
  const windows: GapWindow[] = [];
  let lastEvent: { id: string; at: number } | undefined;
  /** Where the client stood when it (re)subscribed: the `since` it sent, or where the first subscribe started. */
  let standing: { id: string; at: number } | undefined;
  /** The current connection: its `ok`, and where its events (past that `ok`'s `last`) stand now. */
  let connection: { ok: { id: string; at: number }; position: { id: string; at: number } } | undefined;
  /** Lower end of the next adapter (`history`, live) gap's window on this connection. */
  let historyAfter: { id: string; at: number } | undefined;
  for (let index = 0; index < log.length; index++) {
    const entry = log[index]!;
    if (entry.kind === "event") {
      lastEvent = { id: entry.id, at: entry.at };
      // A replayed id at or before the `ok`'s `last` is not a live position.
      if (connection && isAfter(entry.id, connection.position.id)) connection.position = lastEvent;
      continue;
    }
    if (entry.kind === "subscribed") {
      // The client resubscribes from the last id it received, or from the first subscribe's `last`.
      standing = lastEvent ?? standing ?? { id: entry.last, at: entry.at };
      const ok = { id: entry.last, at: entry.at };
      connection = { ok, position: ok };
      historyAfter = ok;
      continue;
    }
    const gap: SeenGap = { missed: entry.missed, reason: entry.reason, at: entry.at };
    const previous = log[index - 1];
    if (entry.reason === "history" && previous?.kind === "subscribed" && previous.recovered === false && standing) {
      windows.push({ gap, answers: "resubscribe", after: standing, upTo: { id: previous.last, inclusive: true }, untilAt: previous.at });
      continue;
    }
    // Before any subscribe there is no connection: such a gap covers nothing.
    if (!connection || !historyAfter) continue;
    const next = log.slice(index + 1).find((later) => later.kind !== "gap");
    const upTo = next?.kind === "event" ? { upTo: { id: next.id, inclusive: false } } : {};
    if (entry.reason === "overflow") {
      // The queue dropped events it held after everything already written: between the last
      // event before the gap and the first after it (drop-oldest sends the gap before the survivors).
      windows.push({ gap, answers: "live", after: connection.position, ...upTo, untilAt: entry.at });
      continue;
    }
    // The adapter's gaps count what the cluster could not deliver here since Redis was lost or
    // the stream was trimmed: since this connection's previous such gap, or its `ok`.
    windows.push({ gap, answers: "live", after: historyAfter, ...upTo, untilAt: entry.at });
    historyAfter = { id: connection.position.id, at: entry.at };
  }
  return windows;
}

/** Does `event` lie in `window`? */
export function inWindow(event: Acked, window: GapWindow): boolean {
  const { epoch, seq } = splitId(event.id);
  const after = splitId(window.after.id);
  const upTo = window.upTo && { ...splitId(window.upTo.id), inclusive: window.upTo.inclusive };
  if (epoch === after.epoch && seq <= after.seq) return false;
  if (upTo && epoch === upTo.epoch && (upTo.inclusive ? seq > upTo.seq : seq >= upTo.seq)) return false;
  if (epoch === after.epoch || epoch === upTo?.epoch) return true;
  return event.at > window.after.at && event.at <= window.untilAt;
}

export function judge(expected: readonly Acked[], log: readonly ReaderEntry[]): Verdict {
  const received = new Set<string>();
  for (const entry of log) if (entry.kind === "event") received.add(entry.id);
  const missing = expected.filter((event) => !received.has(event.id)).sort(earliestFirst);
  const covered = new Set<string>();
  let byUnknown = 0;
  let byCount = 0;
  let overReported = 0;
  for (const window of gapWindows(log)) {
    let credit = window.gap.missed ?? Infinity;
    for (const event of missing) {
      if (credit === 0) break;
      if (covered.has(event.id) || !inWindow(event, window)) continue;
      covered.add(event.id);
      credit--;
      if (window.gap.missed === null) byUnknown++;
      else byCount++;
    }
    if (Number.isFinite(credit)) overReported += credit;
  }
  const silent = missing.filter((event) => !covered.has(event.id));
  const silentByHistory: Record<string, number> = {};
  for (const event of silent) {
    const history = splitId(event.id).epoch;
    silentByHistory[history] = (silentByHistory[history] ?? 0) + 1;
  }
  const ackedIds = new Set(expected.map((event) => event.id));
  let unacked = 0;
  for (const id of received) if (!ackedIds.has(id)) unacked++;
  return {
    expected: expected.length,
    received: expected.length - missing.length,
    missing: missing.length,
    coveredByUnknownGap: byUnknown,
    coveredByCountedGap: byCount,
    silent: silent.length,
    silentIds: silent.slice(0, 5),
    silentByHistory,
    unacked,
    overReported,
  };
}

/** By ack time, then by seq (two triggers' acks of one history may cross by a millisecond). */
function earliestFirst(a: Acked, b: Acked): number {
  return a.at - b.at || splitId(a.id).seq - splitId(b.id).seq;
}

/** Is `id` past `than` in the same history? (Ids of different histories are not ordered.) */
function isAfter(id: string, than: string): boolean {
  const a = splitId(id);
  const b = splitId(than);
  return a.epoch !== b.epoch || a.seq > b.seq;
}
