import { RingBuffer } from "./bounded-queue";

/**
 * What a full `listen` queue does with the next event:
 * - `drop-oldest` (default): evicts the oldest queued event; `missed` counts it.
 * - `drop-newest`: discards the new event; `missed` counts it.
 * - `block`: the trigger waits until the consumer makes room (backpressure).
 */
export type StreamOverflow = "drop-oldest" | "drop-newest" | "block";
export const STREAM_OVERFLOW_POLICIES: readonly StreamOverflow[] = ["drop-oldest", "drop-newest", "block"];

export interface ListenOptions {
  /** Stops the stream (and unsubscribes) when aborted. */
  signal?: AbortSignal;
  /** @default "drop-oldest" */
  overflow?: StreamOverflow;
  /** Queue capacity. @default EVENTS_EVENT_QUEUE_SIZE (5) */
  size?: number;
}

interface Waiter<T> {
  item: T;
  resume: () => void;
}

/**
 * The async iterator `listen()` returns. The bus pushes into it; the consumer pulls with
 * `for await`. At most `size` events wait in it: a slow consumer costs bounded memory.
 * `break`, `return()`, disposal or the abort signal end it and unsubscribe it.
 *
 * @example
 * for await (const model of events.listen("model:created")) {
 *   console.log(model.id);
 * }
 */
export class EventStream<T> implements AsyncIterableIterator<T>, AsyncDisposable {
  readonly name: string;
  readonly overflow: StreamOverflow;
  /** Events this consumer never saw because its queue was full. */
  missed = 0;
  #queue: RingBuffer<T>;
  #pullers: ((result: IteratorResult<T>) => void)[] = [];
  #blocked: Waiter<T>[] = [];
  #closed = false;
  #onClose: () => void;
  #signal: AbortSignal | undefined;
  #onAbort = (): void => void this.return();

  constructor(name: string, capacity: number, options: ListenOptions, onClose: () => void) {
    this.name = name;
    this.overflow = options.overflow ?? "drop-oldest";
    this.#queue = new RingBuffer<T>(options.size ?? capacity);
    this.#onClose = onClose;
    this.#signal = options.signal;
    this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Events waiting to be read. */
  get pending(): number {
    return this.#queue.size;
  }

  /** Called by the bus. Returns a promise only under `block`, when the trigger must wait for room. */
  push(item: T): void | Promise<void> {
    if (this.#closed) return;
    const puller = this.#pullers.shift();
    if (puller) return puller({ value: item, done: false });
    if (!this.#queue.full) return this.#queue.push(item);
    switch (this.overflow) {
      case "drop-oldest":
        this.#queue.shift();
        this.#queue.push(item);
        this.missed++;
        return;
      case "drop-newest":
        this.missed++;
        return;
      case "block":
        return new Promise<void>((resume) => this.#blocked.push({ item, resume }));
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#queue.size > 0) {
      const item = this.#queue.shift() as T;
      this.#admitBlocked();
      return Promise.resolve({ value: item, done: false });
    }
    const waiter = this.#blocked.shift();
    if (waiter) {
      waiter.resume();
      return Promise.resolve({ value: waiter.item, done: false });
    }
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#pullers.push(resolve));
  }

  /** Ends the stream: unsubscribes, releases blocked triggers, and finishes pending `next()` calls. */
  return(): Promise<IteratorResult<T>> {
    if (!this.#closed) {
      this.#closed = true;
      this.#signal?.removeEventListener("abort", this.#onAbort);
      this.#queue.clear();
      for (const waiter of this.#blocked.splice(0)) waiter.resume();
      for (const puller of this.#pullers.splice(0)) puller({ value: undefined, done: true });
      this.#onClose();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.return().then(() => undefined);
  }

  #admitBlocked(): void {
    const waiter = this.#blocked.shift();
    if (!waiter) return;
    this.#queue.push(waiter.item);
    waiter.resume();
  }
}
