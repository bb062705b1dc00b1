import { fullJitterBackoff, type Backoff } from "@/lib/events/client";
import { post } from "./http-post";
import { causeOf } from "./monitor-token";

/** What `listen` posts for each event: `{ name, id, data }` as JSON. */
export interface Delivery {
  name: string;
  id: string;
  data: unknown;
}

/** How one delivery ended: the target's status, or why it got none. */
export type DeliveryResult =
  | { delivery: Delivery; ok: boolean; status: number; statusText: string; ms: number }
  | { delivery: Delivery; ok: false; status: null; error: string; ms: number };

export interface ForwarderOptions {
  /** Where each event is POSTed. */
  url: string;
  onResult(result: DeliveryResult): void;
  /** The target could not be reached: the same event is tried again after `delayMs`. */
  onRetry(delivery: Delivery, error: string, delayMs: number, attempt: number): void;
  /** Events dropped because `maxQueued` were already waiting (the oldest go). */
  onDropped(count: number): void;
  /** @default full jitter from 500 ms up to 10 s */
  backoff?: Backoff;
  /** How long the target may take to answer one POST before the next event goes. @default 30 seconds */
  timeoutMs?: number;
  /** Events that may wait while the target is slow or down. @default 10_000 */
  maxQueued?: number;
  /** @default post (node:http) */
  post?: typeof post;
}

export const FORWARD_DEFAULTS = { timeoutMs: 30_000, maxQueued: 10_000 } as const;

export interface Forwarder {
  push(delivery: Delivery): void;
  /** Events waiting (the one in flight included). */
  readonly pending: number;
  /** Resolves once nothing waits (tests). */
  idle(): Promise<void>;
  /** Stops: the POST in flight is abandoned and nothing more is sent. */
  close(): void;
}

/**
 * Posts events to a URL one at a time, in the order they came: the next one goes when the
 * previous one was answered, whatever its status (a non-2xx is reported, not retried), or timed
 * out. When the target cannot be reached (not started yet, restarting), the same event is tried
 * again with backoff, so order holds; a target that took the request and then failed may see an
 * event twice (at least once, as webhooks are).
 */
export function createForwarder(options: ForwarderOptions): Forwarder {
  const { url, onResult, onRetry, onDropped } = options;
  const send = options.post ?? post;
  const backoff = options.backoff ?? ((attempt: number) => 500 + fullJitterBackoff(attempt, { baseMs: 500, capMs: 9_500 }));
  const timeoutMs = options.timeoutMs ?? FORWARD_DEFAULTS.timeoutMs;
  const maxQueued = options.maxQueued ?? FORWARD_DEFAULTS.maxQueued;
  const queue: Delivery[] = [];
  const stopped = new AbortController();
  let inFlight = false;
  let idleWaiters: (() => void)[] = [];

  async function drain(): Promise<void> {
    if (inFlight) return;
    inFlight = true;
    while (queue.length > 0 && !stopped.signal.aborted) await deliver(queue[0]!).finally(() => queue.shift());
    inFlight = false;
    for (const resolve of idleWaiters.splice(0)) resolve();
  }

  async function deliver(delivery: Delivery): Promise<void> {
    const body = JSON.stringify({ name: delivery.name, id: delivery.id, data: delivery.data ?? null });
    for (let attempt = 0; !stopped.signal.aborted; attempt++) {
      const started = performance.now();
      try {
        const answer = await send(url, {
          headers: { "content-type": "application/json", "user-agent": "webfluid-events-cli" },
          body,
          timeoutMs,
          signal: stopped.signal,
        });
        const ok = answer.status >= 200 && answer.status < 300;
        onResult({ delivery, ok, status: answer.status, statusText: answer.statusText, ms: performance.now() - started });
        return;
      } catch (error) {
        if (stopped.signal.aborted) return;
        if (error instanceof Error && error.name === "TimeoutError") {
          onResult({ delivery, ok: false, status: null, error: `no answer within ${timeoutMs / 1_000} s`, ms: performance.now() - started });
          return;
        }
        const delayMs = backoff(attempt);
        onRetry(delivery, causeOf(error), delayMs, attempt + 1);
        await sleep(delayMs, stopped.signal);
      }
    }
  }

  return {
    push(delivery) {
      if (stopped.signal.aborted) return;
      queue.push(delivery);
      // The one in flight (queue[0]) stays; the oldest waiting ones go.
      const excess = queue.length - 1 - maxQueued;
      if (excess > 0) {
        queue.splice(1, excess);
        onDropped(excess);
      }
      void drain();
    },
    get pending() {
      return queue.length;
    },
    idle: () => (queue.length === 0 && !inFlight ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))),
    close() {
      stopped.abort();
      for (const resolve of idleWaiters.splice(0)) resolve();
      idleWaiters = [];
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
