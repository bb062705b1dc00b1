import { TimeoutError } from "../shared/errors";

/**
 * Settles like `work`, unless `ms` pass or `signal` aborts first: then rejects with
 * `TimeoutError` (the work itself cannot be cancelled; its late result is ignored).
 */
export function withDeadline<T>(work: Promise<T>, ms: number, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (signal?.aborted) return Promise.reject(abortedError(what, signal));
  if (!Number.isFinite(ms) && !signal) return work;
  return new Promise<T>((resolve, reject) => {
    // Whichever comes first settles the promise; the others then change nothing.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => settle(() => reject(abortedError(what, signal!)));
    const settle = (outcome: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      outcome();
    };
    if (Number.isFinite(ms)) timer = setTimeout(() => settle(() => reject(new TimeoutError(`${what} timed out after ${ms} ms`))), ms);
    signal?.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}

function abortedError(what: string, signal: AbortSignal): TimeoutError {
  return new TimeoutError(`${what} was aborted`, { cause: signal.reason });
}
