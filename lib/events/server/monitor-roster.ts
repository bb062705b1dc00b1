import type { Connection } from "./connection";

/** What a monitor token granted a connection. */
export interface MonitorGrant {
  /** The dashboard session the token was issued to ("" for none). */
  session: string;
  expiresAt: number;
}

/**
 * The connections in a monitor session, each until its token expires: a fresh token (a new
 * `monitor` op on the same connection) extends it; otherwise `onExpired` ends it.
 */
export class MonitorRoster {
  #entries = new Map<Connection, { grant: MonitorGrant; timer: NodeJS.Timeout }>();
  #onExpired: (connection: Connection) => void;

  constructor(onExpired: (connection: Connection) => void) {
    this.#onExpired = onExpired;
  }

  get size(): number {
    return this.#entries.size;
  }

  has(connection: Connection): boolean {
    return this.#entries.has(connection);
  }

  /** Adds a monitor, or extends it with a fresh grant. */
  grant(connection: Connection, grant: MonitorGrant, now = Date.now()): void {
    const previous = this.#entries.get(connection);
    if (previous) clearTimeout(previous.timer);
    // setTimeout takes at most 2^31-1 ms; a later expiry re-arms when that fires.
    const wait = Math.min(Math.max(0, grant.expiresAt - now), 2 ** 31 - 1);
    const timer = setTimeout(() => this.#expire(connection), wait).unref();
    this.#entries.set(connection, { grant, timer });
  }

  /** Removes a monitor; true when it was one. */
  delete(connection: Connection): boolean {
    const entry = this.#entries.get(connection);
    if (!entry) return false;
    clearTimeout(entry.timer);
    return this.#entries.delete(connection);
  }

  /** The monitors whose token came from `session`. */
  ofSession(session: string): Connection[] {
    return [...this.#entries].filter(([, entry]) => entry.grant.session === session).map(([connection]) => connection);
  }

  [Symbol.iterator](): IterableIterator<Connection> {
    return this.#entries.keys();
  }

  clear(): void {
    for (const entry of this.#entries.values()) clearTimeout(entry.timer);
    this.#entries.clear();
  }

  #expire(connection: Connection): void {
    const entry = this.#entries.get(connection);
    if (!entry) return;
    if (entry.grant.expiresAt > Date.now()) return this.grant(connection, entry.grant);
    this.#onExpired(connection);
  }
}
