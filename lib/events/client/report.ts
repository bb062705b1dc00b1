/**
 * Where the client tells the developer about problems that have no caller to reject: the console.
 * `error` goes as its own argument, so the console shows its stack and lets one inspect it.
 */
export function reportProblem(message: string, ...error: [unknown?]): void {
  console.error(`[webfluid events] ${message}`, ...error);
}

/**
 * Runs code the client does not own (a handler, a listener). Whatever it throws, or whatever its
 * promise rejects with, is reported and goes no further: one bad handler must not keep the others
 * from running, nor break the loop that reads the socket.
 */
export function callSafely(what: string, run: () => unknown): void {
  try {
    const result = run();
    if (typeof (result as PromiseLike<unknown> | null | undefined)?.then === "function") {
      (result as PromiseLike<unknown>).then(undefined, (error: unknown) => reportProblem(`${what} failed:`, error));
    }
  } catch (error) {
    reportProblem(`${what} threw:`, error);
  }
}

/** For frames a newer server may legitimately send: worth a note, not an error. */
export function reportOddity(message: string): void {
  console.warn(`[webfluid events] ${message}`);
}
