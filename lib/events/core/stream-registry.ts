import { EventStream, type ListenOptions } from "./event-stream";

/** The open `listen` streams of a bus, by event name. A stream leaves when it ends. */
export class StreamRegistry {
  #byName = new Map<string, Set<EventStream<unknown>>>();

  open(name: string, capacity: number, options: ListenOptions): EventStream<unknown> {
    let streams = this.#byName.get(name);
    if (!streams) this.#byName.set(name, (streams = new Set()));
    const owner = streams;
    const stream: EventStream<unknown> = new EventStream(name, capacity, options, () => {
      owner.delete(stream);
      if (owner.size === 0 && this.#byName.get(name) === owner) this.#byName.delete(name);
    });
    owner.add(stream);
    if (options.signal?.aborted) void stream.return();
    return stream;
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /** Pushes to every stream of `name`; returns a promise only when a `block` stream makes the trigger wait. */
  push(name: string, data: unknown): Promise<unknown> | undefined {
    const streams = this.#byName.get(name);
    if (!streams) return undefined;
    let waits: Promise<void>[] | undefined;
    for (const stream of streams) {
      const wait = stream.push(data);
      if (wait) (waits ??= []).push(wait);
    }
    return waits && Promise.all(waits);
  }

  /** Events of `name` lost before they reached this instance: counted in each stream's `missed`. */
  addMissed(name: string, missed: number): void {
    for (const stream of this.#byName.get(name) ?? []) stream.missed += missed;
  }

  count(name?: string): number {
    if (name !== undefined) return this.#byName.get(name)?.size ?? 0;
    let total = 0;
    for (const streams of this.#byName.values()) total += streams.size;
    return total;
  }
}
