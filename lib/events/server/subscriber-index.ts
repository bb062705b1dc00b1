import { matchingPrefixes } from "../protocol/name-pattern";
import type { Connection } from "./connection";

/** Who receives an event: the concrete subscribers, and those subscribed only through a pattern. */
export interface Recipients {
  readonly byName: ReadonlySet<Connection> | undefined;
  /** Connections a pattern matches that do not also hold the name itself (each event goes once). */
  readonly byPattern: readonly Connection[];
}

const NO_ONE: readonly Connection[] = Object.freeze([]);

/**
 * Who is subscribed to what: the one owner of subscriptions. The fan-out reads it by name, ops
 * change it, and a closing connection leaves it in one call; nothing else keeps a copy.
 * Patterns (`model:*`) are indexed by their prefix: an event looks up only the prefixes its name
 * has (one per `:`), never every pattern, and what it finds is cached per name until a
 * subscription that could change it does.
 */
export class SubscriberIndex {
  #byName = new Map<string, Set<Connection>>();
  #byPrefix = new Map<string, Set<Connection>>();
  /** Per connection: its names, and its patterns as `<prefix>*`. */
  #byConnection = new Map<Connection, Set<string>>();
  #patternCache = new Map<string, readonly Connection[]>();

  add(connection: Connection, name: string): void {
    addTo(this.#byName, name, connection);
    addTo(this.#byConnection, connection, name);
    this.#patternCache.delete(name);
  }

  remove(connection: Connection, name: string): void {
    removeFrom(this.#byName, name, connection);
    removeFrom(this.#byConnection, connection, name);
    this.#patternCache.delete(name);
  }

  /** Subscribes `connection` to every name starting with `prefix` (the pattern `<prefix>*`). */
  addPattern(connection: Connection, prefix: string): void {
    addTo(this.#byPrefix, prefix, connection);
    addTo(this.#byConnection, connection, `${prefix}*`);
    this.#forgetPatternsOf(prefix);
  }

  removePattern(connection: Connection, prefix: string): void {
    removeFrom(this.#byPrefix, prefix, connection);
    removeFrom(this.#byConnection, connection, `${prefix}*`);
    this.#forgetPatternsOf(prefix);
  }

  /** Everything `connection` was subscribed to goes. */
  removeAll(connection: Connection): void {
    for (const key of this.#byConnection.get(connection) ?? []) {
      if (key.endsWith("*")) {
        removeFrom(this.#byPrefix, key.slice(0, -1), connection);
        this.#forgetPatternsOf(key.slice(0, -1));
      } else {
        removeFrom(this.#byName, key, connection);
        this.#patternCache.delete(key);
      }
    }
    this.#byConnection.delete(connection);
  }

  /** Who receives an event of `name` (live sets: do not change the index while iterating them). */
  recipientsOf(name: string): Recipients {
    const byName = this.#byName.get(name);
    let byPattern = this.#patternCache.get(name);
    if (byPattern === undefined) {
      byPattern = this.#byPrefix.size === 0 ? NO_ONE : this.#matching(name, byName);
      this.#patternCache.set(name, byPattern);
    }
    return { byName, byPattern };
  }

  /** Whether `connection` holds `key` (a name, or a pattern `<prefix>*`). */
  has(connection: Connection, key: string): boolean {
    return this.#byConnection.get(connection)?.has(key) ?? false;
  }

  /** How many subscriptions `connection` holds (a pattern counts as one). */
  countOf(connection: Connection): number {
    return this.#byConnection.get(connection)?.size ?? 0;
  }

  /** Its names and patterns. */
  namesOf(connection: Connection): string[] {
    return [...(this.#byConnection.get(connection) ?? [])];
  }

  /** Subscribed connections per name or pattern. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [name, subscribers] of this.#byName) counts[name] = subscribers.size;
    for (const [prefix, subscribers] of this.#byPrefix) counts[`${prefix}*`] = subscribers.size;
    return counts;
  }

  /** Connections an event of `name` reaches: its own subscribers and every pattern's that matches it. */
  subscriberCount(name: string): number {
    const { byName, byPattern } = this.recipientsOf(name);
    return (byName?.size ?? 0) + byPattern.length;
  }

  /** Subscriptions held by all connections. */
  get total(): number {
    let total = 0;
    for (const keys of this.#byConnection.values()) total += keys.size;
    return total;
  }

  #matching(name: string, byName: ReadonlySet<Connection> | undefined): readonly Connection[] {
    const found = new Set<Connection>();
    for (const prefix of matchingPrefixes(name)) {
      for (const connection of this.#byPrefix.get(prefix) ?? []) if (!byName?.has(connection)) found.add(connection);
    }
    return found.size === 0 ? NO_ONE : [...found];
  }

  /** A pattern changed: the cached matches of every name it covers are stale. */
  #forgetPatternsOf(prefix: string): void {
    if (prefix === "") return this.#patternCache.clear();
    for (const name of this.#patternCache.keys()) if (name.startsWith(prefix)) this.#patternCache.delete(name);
  }
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set?.delete(value) && set.size === 0) map.delete(key);
}
