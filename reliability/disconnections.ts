/**
 * How long clients were without a connection: every stretch from a reader's leaving `connected`
 * to its next `connected`, over the whole run (a rolling restart disconnects a client once per
 * instance it sits on). A stretch that never ended by the end of the run counts to `end`.
 */
import { median, percentile } from "../bench/stats";

export interface StateMark {
  at: number;
  state: string;
}

export interface Disconnections {
  /** Stretches without a connection, over every reader. */
  count: number;
  /** Readers that lost their connection at least once. */
  readers: number;
  p50: number;
  p99: number;
  max: number;
  /** Stretches still open at `end`. */
  unfinished: number;
}

/** Every stretch without a connection in one reader's state changes at or after `from` (ms). */
export function stretches(states: readonly StateMark[], from: number, end: number): { ms: number; finished: boolean }[] {
  const found: { ms: number; finished: boolean }[] = [];
  let lostAt: number | undefined;
  for (const change of states) {
    if (change.at < from) continue;
    if (change.state === "connected") {
      if (lostAt !== undefined) found.push({ ms: change.at - lostAt, finished: true });
      lostAt = undefined;
    } else if (lostAt === undefined && change.state !== "connecting") {
      lostAt = change.at;
    }
  }
  if (lostAt !== undefined) found.push({ ms: end - lostAt, finished: false });
  return found;
}

export function disconnections(readers: readonly (readonly StateMark[])[], from: number, end: number): Disconnections | undefined {
  const all = readers.map((states) => stretches(states, from, end));
  const durations = all.flat().map((stretch) => stretch.ms).sort((a, b) => a - b);
  if (durations.length === 0) return undefined;
  return {
    count: durations.length,
    readers: all.filter((list) => list.length > 0).length,
    p50: median(durations),
    p99: percentile(durations, 99),
    max: durations.at(-1)!,
    unfinished: all.flat().filter((stretch) => !stretch.finished).length,
  };
}
