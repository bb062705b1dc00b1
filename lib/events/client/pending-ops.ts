import { describeError, errorFromWire, InvalidPayloadError, TimeoutError } from "../shared/errors";
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

/**
 * One op's promise and deadline. A class rather than closures: a request is the hot path of a
 * client that asks a lot, and per-op closures and timers are what it would spend its time on.
 */
class Entry implements PendingOp {
  sent = false;
  readonly promise: Promise<OkFrame>;
  // Plain fields, not #private: the browser bundle targets ES2020, where #fields cost WeakMaps.
  private resolve!: (frame: OkFrame) => void;
  private reject!: (error: Error) => void;

  constructor(
    readonly ref: number,
    readonly label: string,
    readonly owner: unknown,
    readonly early: boolean,
    readonly text: string,
    /** ms since the page opened (performance.now()); Infinity without a timeout. */
    readonly deadline: number,
    readonly timeoutMs: number | undefined,
    readonly signal: AbortSignal | undefined,
    readonly onAbort: (() => void) | undefined,
  ) {
    this.promise = new Promise<OkFrame>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  settle(result: OkFrame | Error): void {
    if (this.onAbort) this.signal!.removeEventListener("abort", this.onAbort);
    if (result instanceof Error) this.reject(result);
    else this.resolve(result);
  }
}

/**
 * Refs come from one counter that never resets, so that a late answer from a previous socket can
 * never be taken for a new op's. Deadlines share one timer, set for the earliest of them.
 */
export function createPendingOps(): PendingOps {
  let lastRef = 0;
  const entries = new Map<Ref, Entry>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt = Infinity;

  const settle = (entry: Entry, result: OkFrame | Error): void => {
    if (entries.get(entry.ref) !== entry) return;
    entries.delete(entry.ref);
    entry.settle(result);
  };
  const expire = (): void => {
    timer = undefined;
    timerAt = Infinity;
    const now = performance.now();
    for (const entry of [...entries.values()]) {
      if (entry.deadline <= now) settle(entry, timeoutError(entry.label, entry.timeoutMs!, entry.sent));
    }
    let next = Infinity;
    for (const entry of entries.values()) if (entry.deadline < next) next = entry.deadline;
    schedule(next);
  };
  const schedule = (at: number): void => {
    if (at >= timerAt || at === Infinity) return;
    if (timer !== undefined) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(expire, Math.max(0, at - performance.now()));
    // A pending op must not keep a Node process alive on its own (browsers ignore this).
    (timer as { unref?: () => void }).unref?.();
  };

  return {
    register(type, fields, options) {
      const { label, timeoutMs, signal } = options;
      if (signal?.aborted) return { op: undefined, promise: Promise.reject(aborted(label, signal)) };
      const ref = ++lastRef;
      let text: string;
      try {
        const body = JSON.stringify(fields);
        text = body === "{}" ? `{"type":"${type}","ref":${ref}}` : `{"type":"${type}","ref":${ref},${body.slice(1)}`;
      } catch (error) {
        const problem = new InvalidPayloadError(`${label} failed: its data cannot be sent as JSON (${describeError(error)})`, { cause: error });
        return { op: undefined, promise: Promise.reject(problem) };
      }
      const deadline = timeoutMs === undefined ? Infinity : performance.now() + timeoutMs;
      const onAbort = signal ? (): void => settle(entry, aborted(label, signal)) : undefined;
      const entry: Entry = new Entry(ref, label, options.owner, options.early ?? false, text, deadline, timeoutMs, signal, onAbort);
      entries.set(ref, entry);
      schedule(deadline);
      if (onAbort) signal!.addEventListener("abort", onAbort, { once: true });
      return { op: entry, promise: entry.promise };
    },
    answer(frame) {
      const entry = frame.ref === null ? undefined : entries.get(frame.ref);
      if (entry) settle(entry, frame.type === "ok" ? frame : errorFromWire(frame.code, frame.message));
      return entry !== undefined;
    },
    unsent() {
      return [...entries.values()].filter((entry) => !entry.sent);
    },
    rejectWhere(matches, reason) {
      for (const entry of [...entries.values()]) if (matches(entry)) settle(entry, reason(entry));
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
