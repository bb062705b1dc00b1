import { TokenBucket } from "./rate-limiter";

export interface AdmissionLimits {
  /** Open connections in the whole process (EVENTS_MAX_CONNECTIONS). */
  maxConnections: number;
  /** Open connections per client address (EVENTS_MAX_CONNECTIONS_PER_IP). */
  maxConnectionsPerIp: number;
  /** Ops per second per client address, across its connections (EVENTS_RATE_LIMIT_PER_IP). */
  rateLimitPerIp: number;
}

/** Seconds a refused client is told to wait (`Retry-After`). */
export const RETRY_AFTER_FULL_S = 5;
export const RETRY_AFTER_PER_IP_S = 30;

export type AdmissionVerdict =
  | { ok: true; ticket: AdmissionTicket }
  | { ok: false; status: 503 | 429; reason: "max_connections" | "max_connections_per_ip"; message: string; retryAfterSeconds: number };

/** One admitted connection's place: its address's shared op budget, and the release of its place. */
export interface AdmissionTicket {
  readonly address: string;
  /** Ops of every connection from this address draw from this one bucket. */
  readonly addressLimiter: TokenBucket;
  /** Gives the place back; idempotent. */
  release(): void;
}

interface AddressEntry {
  open: number;
  limiter: TokenBucket;
  lastSeen: number;
}

/**
 * Who may open a connection: at most `maxConnections` in the process and `maxConnectionsPerIp`
 * per client address. Also the per-address op budget, which outlives the address's connections
 * for as long as its bucket is not full again, so that reconnecting buys no fresh burst.
 */
export class Admission {
  #limits: AdmissionLimits;
  #open = 0;
  #addresses = new Map<string, AddressEntry>();

  constructor(limits: AdmissionLimits) {
    this.#limits = limits;
  }

  get open(): number {
    return this.#open;
  }

  /** Addresses with open connections or a recent op budget (bounded by sweep). */
  get trackedAddresses(): number {
    return this.#addresses.size;
  }

  /** Takes a place for a connection from `address`, or says why not. */
  admit(address: string, now = performance.now()): AdmissionVerdict {
    const { maxConnections, maxConnectionsPerIp } = this.#limits;
    if (this.#open >= maxConnections) {
      return {
        ok: false,
        status: 503,
        reason: "max_connections",
        message: `This server holds ${this.#open} connections, the most it accepts (EVENTS_MAX_CONNECTIONS): try again later`,
        retryAfterSeconds: RETRY_AFTER_FULL_S,
      };
    }
    const entry = this.#entry(address, now);
    if (entry.open >= maxConnectionsPerIp) {
      return {
        ok: false,
        status: 429,
        reason: "max_connections_per_ip",
        message: `Your address holds ${entry.open} connections, the most one address may (EVENTS_MAX_CONNECTIONS_PER_IP): close one first`,
        retryAfterSeconds: RETRY_AFTER_PER_IP_S,
      };
    }
    entry.open++;
    this.#open++;
    let released = false;
    return {
      ok: true,
      ticket: {
        address,
        addressLimiter: entry.limiter,
        release: () => {
          if (released) return;
          released = true;
          entry.open--;
          entry.lastSeen = performance.now();
          this.#open--;
        },
      },
    };
  }

  /**
   * Forgets addresses with no open connection whose op budget has refilled: what remains is
   * bounded by the open connections plus the addresses seen within one refill time.
   */
  sweep(now = performance.now()): void {
    // A bucket's burst is twice its rate, so it is full again 2 s after its last op.
    const refillMs = 2_000;
    for (const [address, entry] of this.#addresses) {
      if (entry.open === 0 && now - entry.lastSeen > refillMs) this.#addresses.delete(address);
    }
  }

  #entry(address: string, now: number): AddressEntry {
    let entry = this.#addresses.get(address);
    if (!entry) {
      // An attacker cycling through addresses grows the map only until the next sweep.
      if (this.#addresses.size >= this.#limits.maxConnections * 2) this.sweep(now);
      entry = { open: 0, limiter: new TokenBucket(this.#limits.rateLimitPerIp, this.#limits.rateLimitPerIp * 2, now), lastSeen: now };
      this.#addresses.set(address, entry);
    }
    entry.lastSeen = now;
    return entry;
  }
}
