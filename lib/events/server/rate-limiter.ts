/**
 * A token bucket: `rate` ops per second on average, bursts up to `burst`. Time is passed in so
 * the limiter is a pure object, testable without clocks.
 */
export class TokenBucket {
  readonly rate: number;
  readonly burst: number;
  #tokens: number;
  #updatedAt: number;

  constructor(rate: number, burst = rate * 2, now = performance.now()) {
    this.rate = rate;
    this.burst = burst;
    this.#tokens = burst;
    this.#updatedAt = now;
  }

  /** Takes one token; false when the bucket is empty. */
  take(now = performance.now()): boolean {
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#updatedAt) / 1000) * this.rate);
    this.#updatedAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
