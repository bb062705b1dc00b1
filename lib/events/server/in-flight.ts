/**
 * Ops being handled, so that a shutdown can wait until the last one has answered. Counted, not
 * collected: `start` and `finish` bracket an op without a promise of their own (a hot path).
 */
export class InFlight {
  #count = 0;
  #waiters: (() => void)[] = [];

  get count(): number {
    return this.#count;
  }

  start(): void {
    this.#count++;
  }

  finish(): void {
    if (--this.#count === 0) for (const resolve of this.#waiters.splice(0)) resolve();
  }

  /** Resolves when nothing is in flight. */
  drained(): Promise<void> {
    return this.#count === 0 ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve));
  }
}
