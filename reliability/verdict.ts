/**
 * "Nothing lost silently": every acked event id a client should have seen was either received, or
 * is covered by a gap the client was told about. A gap with `missed: null` covers every event acked
 * before it arrived; a gap with a count covers that many of the missing events acked before it
 * arrived (earliest first). What is left is a silent loss.
 */

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
  /** Gap counts that had no missing event to cover (over-reporting: harmless, noted). */
  overReported: number;
}

export function judge(expected: readonly Acked[], received: ReadonlySet<string>, gaps: readonly SeenGap[]): Verdict {
  const missing = expected.filter((event) => !received.has(event.id)).sort((a, b) => a.at - b.at);
  const covered = new Set<string>();
  let byUnknown = 0;
  let byCount = 0;
  let overReported = 0;
  for (const gap of [...gaps].sort((a, b) => a.at - b.at)) {
    if (gap.missed === null) {
      for (const event of missing) {
        if (event.at > gap.at) break;
        if (!covered.has(event.id)) {
          covered.add(event.id);
          byUnknown++;
        }
      }
      continue;
    }
    let credit = gap.missed;
    for (const event of missing) {
      if (credit === 0 || event.at > gap.at) break;
      if (covered.has(event.id)) continue;
      covered.add(event.id);
      byCount++;
      credit--;
    }
    overReported += credit;
  }
  const silent = missing.filter((event) => !covered.has(event.id));
  const silentByHistory: Record<string, number> = {};
  for (const event of silent) {
    const history = event.id.slice(0, event.id.lastIndexOf("-"));
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
