import { describeError, errorFromWire, InvalidPayloadError, TimeoutError } from "../core/errors";
import type { ClientOp, ClientOpType, ErrorFrame, OkFrame, Ref } from "../protocol/frames";

/** The fields of op `T` besides `type` and `ref`. */
export type OpFields<T extends ClientOpType> = Omit<Extract<ClientOp, { type: T }>, "type" | "ref">;

export interface OpOptions {
  /** Names the op in every error about it, e.g. `Request "model:count"`. */
  label: string;
  /** The manager that issued it: closing that manager rejects it. */
  owner?: unknown;
  /** Reject with a TimeoutError after this many ms, whether or not the op was sent yet. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** May be sent before a reconnected monitor session is authorized again (subscriptions, the `monitor` op itself). */
  early?: boolean;
}

/** One op that is waiting for the socket, or for the server's answer. */
export interface PendingOp {
  readonly ref: number;
  readonly label: string;
  readonly owner: unknown;
  readonly early: boolean;
  /** The op, already encoded: bad data fails at the call, not later when a socket opens. */
  readonly text: string;
  sent: boolean;
}

/** The ops of one connection that have no answer yet. */
export interface PendingOps {
  /**
   * Registers an op and returns the promise of its `ok` frame. `op` is undefined, and the promise
   * rejected, when the data cannot be encoded or the signal has already fired.
   */
  register(type: ClientOpType, fields: object, options: OpOptions): { op: PendingOp | undefined; promise: Promise<OkFrame> };
  /** Settles the op a server `ok` or `error` frame answers. False when no op has that ref (it timed out already). */
  answer(frame: OkFrame | ErrorFrame): boolean;
  /** Ops not yet written to a socket, oldest first. */
  unsent(): PendingOp[];
  /** Rejects every op that `matches`, with the error `reason` makes for it. */
  rejectWhere(matches: (op: PendingOp) => boolean, reason: (op: PendingOp) => Error): void;
}

interface Entry extends PendingOp {
  settle(result: OkFrame | Error): void;
}

/**
 * Refs come from one counter that never resets, so that a late answer from a previous socket can
 * never be taken for a new op's.
 */
export function createPendingOps(): PendingOps {
  let lastRef = 0;
  const entries = new Map<Ref, Entry>();
  return {
    register(type, fields, options) {
      const { label, timeoutMs, signal } = options;
      if (signal?.aborted) return { op: undefined, promise: Promise.reject(aborted(label, signal)) };
      const ref = ++lastRef;
      let text: string;
      try {
        text = JSON.stringify({ type, ...fields, ref });
      } catch (error) {
        const problem = new InvalidPayloadError(`${label} failed: its data cannot be sent as JSON (${describeError(error)})`, { cause: error });
        return { op: undefined, promise: Promise.reject(problem) };
      }
      let resolve!: (frame: OkFrame) => void;
      let reject!: (error: Error) => void;
      const promise = new Promise<OkFrame>((res, rej) => ((resolve = res), (reject = rej)));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = (): void => entry.settle(aborted(label, signal!));
      const entry: Entry = {
        ref,
        label,
        owner: options.owner,
        early: options.early ?? false,
        text,
        sent: false,
        settle(result) {
          if (entries.get(ref) !== entry) return;
          entries.delete(ref);
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          if (result instanceof Error) reject(result);
          else resolve(result);
        },
      };
      entries.set(ref, entry);
      if (timeoutMs !== undefined) timer = setTimeout(() => entry.settle(timeoutError(label, timeoutMs, entry.sent)), timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      return { op: entry, promise };
    },
    answer(frame) {
      const entry = frame.ref === null ? undefined : entries.get(frame.ref);
      entry?.settle(frame.type === "ok" ? frame : errorFromWire(frame.code, frame.message));
      return entry !== undefined;
    },
    unsent() {
      return [...entries.values()].filter((entry) => !entry.sent);
    },
    rejectWhere(matches, reason) {
      for (const entry of [...entries.values()]) if (matches(entry)) entry.settle(reason(entry));
    },
  };
}

/** Why an op timed out: a silent server, or no connection to send it on. */
export function timeoutError(label: string, ms: number, sent: boolean): TimeoutError {
  return new TimeoutError(`${label} timed out after ${ms} ms: ${sent ? "the server did not answer" : "there was no connection to the server"}`);
}

function aborted(label: string, signal: AbortSignal): TimeoutError {
  return new TimeoutError(`${label} was aborted`, { cause: signal.reason });
}
