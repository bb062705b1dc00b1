import { matchingPrefixes, parsePattern } from "../protocol/name-pattern";
import { BadRequestError } from "../shared/errors";
import { EventStream, type ListenOptions } from "./event-stream";

/** What a pattern's stream yields: each event with its name and id. */
export interface NamedEvent<N extends string = string, T = unknown> {
  name: N;
  id: string;
  data: T;
}

/**
 * The open `listen` streams of a bus: by event name, and by pattern prefix (`model:*` → `model:`,
 * found for an event by the prefixes its name has, never by testing every pattern). A stream
 * leaves when it ends.
 */
export class StreamRegistry {
  #byName = new Map<string, Set<EventStream<unknown>>>();
  #byPrefix = new Map<string, Set<EventStream<NamedEvent>>>();

  open(name: string, capacity: number, options: ListenOptions): EventStream<unknown> {
    return this.#open(this.#byName, name, name, capacity, options);
  }

  /** A stream of every event whose name `pattern` (`model:*`, `*`) matches, internal ones too. */
  openPattern(pattern: string, capacity: number, options: ListenOptions): EventStream<NamedEvent> {
    const check = parsePattern(pattern);
    if (!check.ok) throw new BadRequestError(check.problem);
    return this.#open(this.#byPrefix, check.prefix, pattern, capacity, options);
  }

  /** Whether anything listens to `name`, by name or by pattern. */
  has(name: string): boolean {
    return this.#byName.has(name) || (this.#byPrefix.size > 0 && matchingPrefixes(name).some((prefix) => this.#byPrefix.has(prefix)));
  }

  /** Pushes to every stream of `name` and of its patterns; returns a promise only when a `block` stream makes the trigger wait. */
  push(name: string, id: string, data: unknown): Promise<unknown> | undefined {
    let waits: Promise<void>[] | undefined;
    for (const stream of this.#byName.get(name) ?? []) {
      const wait = stream.push(data);
      if (wait) (waits ??= []).push(wait);
    }
    if (this.#byPrefix.size > 0) {
      for (const prefix of matchingPrefixes(name)) {
        for (const stream of this.#byPrefix.get(prefix) ?? []) {
          const wait = stream.push({ name, id, data });
          if (wait) (waits ??= []).push(wait);
        }
      }
    }
    return waits && Promise.all(waits);
  }

  /** Events of `name` lost before they reached this instance: counted in each stream's `missed`. */
  addMissed(name: string, missed: number): void {
    for (const stream of this.#byName.get(name) ?? []) stream.missed += missed;
    for (const prefix of matchingPrefixes(name)) for (const stream of this.#byPrefix.get(prefix) ?? []) stream.missed += missed;
  }

  /** Open streams of `name` (a name or a pattern), or of everything. */
  count(name?: string): number {
    if (name !== undefined) return name.endsWith("*") ? (this.#byPrefix.get(name.slice(0, -1))?.size ?? 0) : (this.#byName.get(name)?.size ?? 0);
    let total = 0;
    for (const streams of [...this.#byName.values(), ...this.#byPrefix.values()]) total += streams.size;
    return total;
  }

  #open<T>(index: Map<string, Set<EventStream<T>>>, key: string, label: string, capacity: number, options: ListenOptions): EventStream<T> {
    let streams = index.get(key);
    if (!streams) index.set(key, (streams = new Set()));
    const owner = streams;
    const stream: EventStream<T> = new EventStream<T>(label, capacity, options, () => {
      owner.delete(stream);
      if (owner.size === 0 && index.get(key) === owner) index.delete(key);
    });
    owner.add(stream);
    if (options.signal?.aborted) void stream.return();
    return stream;
  }
}
