import type { AsyncLocalStorage } from "node:async_hooks";
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
  return storage.run({ ...context }, invoke, fn, data);
}

function invoke(fn: (data: unknown) => unknown, data: unknown): Promise<unknown> {
  try {
    return Promise.resolve(fn(data));
  } catch (error) {
    return Promise.reject(error);
  }
}
