import type { Logger } from "../core/logger";

/** The longest header value (Origin, Host, User-Agent…) a log line carries. */
export const MAX_LOGGED_HEADER = 200;

/** How often repeated refusals are summarised. @default 10 seconds */
export const REFUSAL_SUMMARY_MS = 10_000;

/** Why a connection or request was turned away; the label of `wf_events_refusals_total`. */
export type RefusalReason =
  | "upgrade_path"
  | "host"
  | "origin"
  | "subprotocol"
  | "shutting_down"
  | "max_connections"
  | "max_connections_per_ip"
  | "sockets_per_ip"
  | "sign_in_throttled"
  | "max_sockets";

/** A header's value cut to MAX_LOGGED_HEADER characters, so that a client cannot inflate the logs. */
export function clipHeader(value: string | string[] | undefined, max = MAX_LOGGED_HEADER): string | undefined {
  const text = Array.isArray(value) ? value.join(", ") : value;
  if (text === undefined || text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length} characters)`;
}

/**
 * Logs refusals without letting a client flood the log: the first refusal of each reason in a
 * window is logged in full (header values clipped), the rest are counted and summarised in one
 * line at the end of the window. Also keeps the running totals by reason, for metrics.
 */
export class RefusalLog {
  readonly totals: Partial<Record<RefusalReason, number>> = {};
  #logger: Logger;
  #windowMs: number;
  #suppressed = new Map<RefusalReason, number>();
  #loggedThisWindow = new Set<RefusalReason>();
  #timer: NodeJS.Timeout | undefined;

  constructor(logger: Logger, windowMs = REFUSAL_SUMMARY_MS) {
    this.#logger = logger;
    this.#windowMs = windowMs;
  }

  /** Counts a refusal, and logs it unless one of the same reason was logged in this window. */
  note(reason: RefusalReason, message: string, fields: Record<string, unknown> = {}): void {
    this.totals[reason] = (this.totals[reason] ?? 0) + 1;
    this.#timer ??= setTimeout(() => this.flush(), this.#windowMs).unref();
    if (this.#loggedThisWindow.has(reason)) {
      this.#suppressed.set(reason, (this.#suppressed.get(reason) ?? 0) + 1);
      return;
    }
    this.#loggedThisWindow.add(reason);
    this.#logger.warn({ reason, ...fields }, message);
  }

  /** Ends the window: one summary line for what was counted but not logged. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#loggedThisWindow.clear();
    if (this.#suppressed.size === 0) return;
    const counts = Object.fromEntries(this.#suppressed);
    const total = [...this.#suppressed.values()].reduce((sum, count) => sum + count, 0);
    this.#suppressed.clear();
    const parts = Object.entries(counts).map(([reason, count]) => `${reason} ${count}`).join(", ");
    this.#logger.warn({ refused: counts, windowMs: this.#windowMs }, `Refused ${total} more in the last ${this.#windowMs / 1000} s (${parts})`);
  }
}
