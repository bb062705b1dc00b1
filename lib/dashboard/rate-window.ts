/**
 * Events per second over the last `seconds` seconds, in one bucket per second: what the traffic
 * chart draws. Adding is O(1); nothing grows with traffic.
 *
 * @example
 * const rate = createRateWindow(60);
 * rate.add(Date.now(), 25);
 * rate.series(Date.now()); // 60 numbers, oldest first; the last is the current second so far
 */
export interface RateWindow {
  readonly seconds: number;
  add(atMs: number, count?: number): void;
  /** Counts per second, oldest first, ending with the second that holds `nowMs`. */
  series(nowMs: number): number[];
  clear(): void;
}

export function createRateWindow(seconds = 60): RateWindow {
  const counts = new Array<number>(seconds).fill(0);
  // The second each slot currently holds; a slot is stale once its second has left the window.
  const stamps = new Array<number>(seconds).fill(-Infinity);
  const slotOf = (second: number) => ((second % seconds) + seconds) % seconds;
  return {
    seconds,
    add(atMs, count = 1) {
      const second = Math.floor(atMs / 1000);
      const slot = slotOf(second);
      if (stamps[slot] !== second) {
        stamps[slot] = second;
        counts[slot] = 0;
      }
      counts[slot]! += count;
    },
    series(nowMs) {
      const now = Math.floor(nowMs / 1000);
      const out = new Array<number>(seconds);
      for (let i = 0; i < seconds; i++) {
        const second = now - seconds + 1 + i;
        const slot = slotOf(second);
        out[i] = stamps[slot] === second ? counts[slot]! : 0;
      }
      return out;
    },
    clear() {
      counts.fill(0);
      stamps.fill(-Infinity);
    },
  };
}
