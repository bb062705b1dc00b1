import { TimeoutError } from "./errors";

/**
 * Settles like `work`, unless `ms` pass or `signal` aborts first: then rejects with
 * `TimeoutError` (the work itself cannot be cancelled; its late result is ignored).
 */
export function withDeadline<T>(work: Promise<T>, ms: number, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (signal?.aborted) return Promise.reject(abortedError(what, signal));
  if (!Number.isFinite(ms) && !signal) return work;
  return new Promise<T>((resolve, reject) => {
    const timer = Number.isFinite(ms)
      ? setTimeout(() => {
          cleanup();
          reject(new TimeoutError(`${what} timed out after ${ms} ms`));
        }, ms)
      : undefined;
    const onAbort = (): void => {
      cleanup();
      reject(abortedError(what, signal!));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}

function abortedError(what: string, signal: AbortSignal): TimeoutError {
  return new TimeoutError(`${what} was aborted`, { cause: signal.reason });
}
