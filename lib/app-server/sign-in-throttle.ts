/** Wrong tokens an address may send before it must wait. @default 5 */
export const FREE_ATTEMPTS = 5;
/** The first wait; each further failure doubles it. @default 1 second */
export const FIRST_DELAY_MS = 1_000;
/** The longest wait. @default 15 minutes */
export const MAX_DELAY_MS = 15 * 60_000;
/** An address that failed nothing for this long starts afresh. @default 24 hours */
export const FORGET_AFTER_MS = 24 * 60 * 60_000;
/** Addresses remembered at most; the longest-idle go first. */
const MAX_TRACKED = 10_000;

/** An attempt may go ahead (`succeeded` clears the address), or must wait. */
export type Attempt = { allowed: true; succeeded: () => void } | { allowed: false; retryAfterMs: number };

interface Record {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

/**
 * Slows down guessing of the dashboard token, per client address: after FREE_ATTEMPTS wrong
 * tokens every attempt waits, twice as long after each further one (1 s, 2 s, 4 s… up to
 * 15 minutes). While an address waits, even the right token is refused: otherwise waiting would
 * not slow guessing at all. Every attempt counts as wrong from the moment it starts, until it
 * proves right: attempts sent in parallel cannot all slip through one open moment.
 */
export class SignInThrottle {
  #records = new Map<string, Record>();

  attempt(address: string, now = Date.now()): Attempt {
    const existing = this.#records.get(address);
    if (existing && existing.lockedUntil > now) return { allowed: false, retryAfterMs: existing.lockedUntil - now };
    const record = this.#fail(address, now);
    return { allowed: true, succeeded: () => void (this.#records.get(address) === record && this.#records.delete(address)) };
  }

  /** How long an address waits now (0: it may try). */
  waitOf(address: string, now = Date.now()): number {
    return Math.max(0, (this.#records.get(address)?.lockedUntil ?? 0) - now);
  }

  #fail(address: string, now: number): Record {
    let record = this.#records.get(address);
    if (record) {
      this.#records.delete(address); // re-inserted last: the map stays ordered by idleness
    } else {
      this.#forgetIdle(now);
      record = { failures: 0, lockedUntil: 0, lastFailure: now };
    }
    record.failures++;
    record.lastFailure = now;
    const over = record.failures - FREE_ATTEMPTS;
    record.lockedUntil = over > 0 ? now + Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(over - 1, 30)) : 0;
    this.#records.set(address, record);
    return record;
  }

  /** Addresses idle for FORGET_AFTER_MS start afresh; past MAX_TRACKED the longest-idle go. */
  #forgetIdle(now: number): void {
    for (const [address, record] of this.#records) {
      if (this.#records.size < MAX_TRACKED && now - record.lastFailure <= FORGET_AFTER_MS) break;
      this.#records.delete(address);
    }
  }
}
