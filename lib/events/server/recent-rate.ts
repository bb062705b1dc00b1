/** How far back a rate looks, in seconds. */
const WINDOW_S = 10;

/**
 * Occurrences per second over the last ten seconds, in constant memory: one counter per second,
 * reused round the ring (a counter older than the window is cleared when its slot comes back).
 */
export class RecentRate {
  #counts = new Uint32Array(WINDOW_S);
  #seconds = new Float64Array(WINDOW_S).fill(-1);

  note(now = Date.now()): void {
    const second = Math.floor(now / 1000);
    const slot = second % WINDOW_S;
    if (this.#seconds[slot] !== second) {
      this.#seconds[slot] = second;
      this.#counts[slot] = 0;
    }
    this.#counts[slot]!++;
  }

  perSecond(now = Date.now()): number {
    const second = Math.floor(now / 1000);
    let total = 0;
    for (let slot = 0; slot < WINDOW_S; slot++) if (second - this.#seconds[slot]! < WINDOW_S) total += this.#counts[slot]!;
    return total / WINDOW_S;
  }
}
