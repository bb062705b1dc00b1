/** How long to wait before reconnect attempt `attempt` (0 for the first retry), in ms. */
export type Backoff = (attempt: number) => number;

export interface FullJitterOptions {
  /** The ceiling of the first retry's delay. @default 250 */
  baseMs?: number;
  /** No delay ever exceeds this. @default 10_000 */
  capMs?: number;
  /** A source of numbers in [0, 1); replaceable so tests can pin it. @default Math.random */
  random?: () => number;
}

/**
 * Exponential backoff with full jitter: a uniformly random delay between 0 and
 * `min(capMs, baseMs * 2^attempt)`. The jitter is the point — when a server restarts, every open
 * page reconnects at once, and spreading the retries over the whole window keeps them from
 * arriving as one stampede (AWS Architecture Blog, "Exponential Backoff And Jitter").
 *
 * @example
 * fullJitterBackoff(0); // somewhere in [0, 250)
 * fullJitterBackoff(10); // somewhere in [0, 10_000)
 * fullJitterBackoff(3, { random: () => 0.5 }); // 1_000
 */
export function fullJitterBackoff(attempt: number, { baseMs = 250, capMs = 10_000, random = Math.random }: FullJitterOptions = {}): number {
  // 2 ** 1024 is Infinity, and Math.min handles that, but a huge attempt count should not even get there.
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return random() * ceiling;
}
