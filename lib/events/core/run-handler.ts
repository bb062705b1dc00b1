import type { AsyncLocalStorage } from "node:async_hooks";
import type { HandlerFailure } from "./bus-types";
import type { RegisteredHandler } from "./declarations";
import type { RunSpans } from "./spans";
import type { HandlerContext } from "./types";

/**
 * Runs one handler inside its own context, turning a synchronous throw into a rejection so that
 * one bad handler can never stop the others.
 */
export function runHandler(
  storage: AsyncLocalStorage<HandlerContext>,
  context: HandlerContext,
  fn: (data: unknown) => unknown,
  data: unknown,
): Promise<unknown> {
  // A fresh object per handler: one handler cannot change what another reads.
  return storage.run({ ...context }, () => {
    try {
      return Promise.resolve(fn(data));
    } catch (error) {
      return Promise.reject(error);
    }
  });
}

const NO_FAILURES: HandlerFailure[] = [];
Object.freeze(NO_FAILURES);

function inRegistrationOrder(failed: [number, HandlerFailure][]): HandlerFailure[] {
  return failed.sort((a, b) => a[0] - b[0]).map((entry) => entry[1]);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/**
 * Calls every handler at once. Synchronous handlers cost no promise at all; the returned
 * promise (if any) settles when the asynchronous ones have. Failures come back in
 * registration order.
 */
export function runEventHandlers(
  storage: AsyncLocalStorage<HandlerContext>,
  handlers: readonly RegisteredHandler[],
  data: unknown,
  context: HandlerContext,
  logFailure: (handler: string, error: unknown) => HandlerFailure,
  spans?: RunSpans,
): HandlerFailure[] | Promise<HandlerFailure[]> {
  if (spans) return runTracedEventHandlers(storage, handlers, data, context, logFailure, spans);
  // Hot path: synchronous handlers cost no promise at all, and nothing is allocated for them but
  // their context object.
  let failed: [number, HandlerFailure][] | undefined;
  let pending: Promise<void>[] | undefined;
  for (let index = 0; index < handlers.length; index++) {
    const handler = handlers[index]!;
    let result: unknown;
    try {
      // A fresh context object per handler: one handler cannot change what another reads.
      result = storage.run({ ...context }, handler.fn, data);
    } catch (error) {
      (failed ??= []).push([index, logFailure(handler.label, error)]);
      continue;
    }
    if (isThenable(result)) {
      (pending ??= []).push(
        Promise.resolve(result).then(undefined, (error: unknown) => {
          (failed ??= []).push([index, logFailure(handler.label, error)]);
        }),
      );
    }
  }
  if (!pending) return failed ? inRegistrationOrder(failed) : NO_FAILURES;
  return (pending.length === 1 ? pending[0]! : Promise.all(pending)).then(() => (failed ? inRegistrationOrder(failed) : NO_FAILURES));
}


/**
 * `runEventHandlers` when someone looks (monitors, or an OpenTelemetry SDK): the same, each
 * handler timed into `spans`. Kept apart so that the untraced path stays as lean as it is.
 */
function runTracedEventHandlers(
  storage: AsyncLocalStorage<HandlerContext>,
  handlers: readonly RegisteredHandler[],
  data: unknown,
  context: HandlerContext,
  logFailure: (handler: string, error: unknown) => HandlerFailure,
  spans: RunSpans,
): HandlerFailure[] | Promise<HandlerFailure[]> {
  const failed: [number, HandlerFailure][] = [];
  const pending: Promise<void>[] = [];
  for (let index = 0; index < handlers.length; index++) {
    const handler = handlers[index]!;
    const span = spans.start(handler);
    let result: unknown;
    try {
      // A closure only when an OpenTelemetry SDK wants the handler inside its span.
      result = spans.otel ? spans.within(span, () => storage.run({ ...context }, handler.fn, data)) : storage.run({ ...context }, handler.fn, data);
    } catch (error) {
      spans.settle(span, true, error, false);
      failed.push([index, logFailure(handler.label, error)]);
      continue;
    }
    if (isThenable(result)) {
      pending.push(
        Promise.resolve(result).then(
          () => spans.settle(span, false, undefined, false),
          (error: unknown) => {
            spans.settle(span, true, error, false);
            failed.push([index, logFailure(handler.label, error)]);
          },
        ),
      );
    } else {
      spans.settle(span, false, undefined, false);
    }
  }
  const done = () => (failed.length > 0 ? inRegistrationOrder(failed) : NO_FAILURES);
  return pending.length === 0 ? done() : Promise.all(pending).then(done);
}
