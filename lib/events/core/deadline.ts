import { TimeoutError } from "../shared/errors";

/**
 * Settles like `work`, unless `ms` pass or `signal` aborts first: then rejects with
 * `TimeoutError` (the work itself cannot be cancelled; its late result is ignored).
 */
export function withDeadline<T>(work: Promise<T>, ms: number, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (signal?.aborted) return Promise.reject(abortedError(what, signal));
  if (!Number.isFinite(ms) && !signal) return work;
  return new Promise<T>((resolve, reject) => new Race(work, ms, signal, what, resolve, reject));
}

/**
 * One race between work, a timer and a signal. An object with methods rather than a handful of
 * closures: requests are a hot path, and under tsx every named closure costs a defineProperty.
 */
class Race<T> {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #done = false;
  #onAbort: (() => void) | undefined;

  constructor(
    work: Promise<T>,
    private readonly ms: number,
    private readonly signal: AbortSignal | undefined,
    private readonly what: string,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    // Anonymous arrows: JavaScript gives them no name, so tsx adds no naming call either.
    if (Number.isFinite(ms)) this.#timer = setTimeout(() => this.timeUp(), ms);
    if (signal) {
      this.#onAbort = () => this.abort();
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }
    work.then(
      (value) => this.succeed(value),
      (error: unknown) => this.fail(error),
    );
  }

  private succeed(value: T): void {
    if (this.finish()) this.resolve(value);
  }

  private fail(error: unknown): void {
    if (this.finish()) this.reject(error);
  }

  private timeUp(): void {
    if (this.finish()) this.reject(new TimeoutError(`${this.what} timed out after ${this.ms} ms`));
  }

  private abort(): void {
    if (this.finish()) this.reject(abortedError(this.what, this.signal!));
  }

  private finish(): boolean {
    if (this.#done) return false;
    this.#done = true;
    clearTimeout(this.#timer);
    if (this.#onAbort) this.signal!.removeEventListener("abort", this.#onAbort);
    return true;
  }
}

function abortedError(what: string, signal: AbortSignal): TimeoutError {
  return new TimeoutError(`${what} was aborted`, { cause: signal.reason });
}
