import type { Connection } from "./connection";

/**
 * Who is subscribed to what: the one owner of subscriptions. The fan-out reads it by name, ops
 * change it, and a closing connection leaves it in one call; nothing else keeps a copy.
 */
export class SubscriberIndex {
  #byName = new Map<string, Set<Connection>>();
  #byConnection = new Map<Connection, Set<string>>();

  add(connection: Connection, name: string): void {
    let subscribers = this.#byName.get(name);
    if (!subscribers) this.#byName.set(name, (subscribers = new Set()));
    subscribers.add(connection);
    let names = this.#byConnection.get(connection);
    if (!names) this.#byConnection.set(connection, (names = new Set()));
    names.add(name);
  }

  remove(connection: Connection, name: string): void {
    const subscribers = this.#byName.get(name);
    if (subscribers?.delete(connection) && subscribers.size === 0) this.#byName.delete(name);
    const names = this.#byConnection.get(connection);
    if (names?.delete(name) && names.size === 0) this.#byConnection.delete(connection);
  }

  /** Everything `connection` was subscribed to goes. */
  removeAll(connection: Connection): void {
    for (const name of this.#byConnection.get(connection) ?? []) {
      const subscribers = this.#byName.get(name);
      if (subscribers?.delete(connection) && subscribers.size === 0) this.#byName.delete(name);
    }
    this.#byConnection.delete(connection);
  }

  /** The connections subscribed to `name` (live: do not change the index while iterating). */
  subscribersOf(name: string): ReadonlySet<Connection> | undefined {
    return this.#byName.get(name);
  }

  has(connection: Connection, name: string): boolean {
    return this.#byConnection.get(connection)?.has(name) ?? false;
  }

  /** How many subscriptions `connection` holds. */
  countOf(connection: Connection): number {
    return this.#byConnection.get(connection)?.size ?? 0;
  }

  namesOf(connection: Connection): string[] {
    return [...(this.#byConnection.get(connection) ?? [])];
  }

  /** Subscribed connections per name. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [name, subscribers] of this.#byName) counts[name] = subscribers.size;
    return counts;
  }

  subscriberCount(name: string): number {
    return this.#byName.get(name)?.size ?? 0;
  }

  /** Subscriptions held by all connections. */
  get total(): number {
    let total = 0;
    for (const names of this.#byConnection.values()) total += names.size;
    return total;
  }
}
