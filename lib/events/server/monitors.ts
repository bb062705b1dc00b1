import type { EventBus } from "../core/bus";
import type { Logger } from "../core/logger";
import type { TraceRecord } from "../core/trace";
import { CloseCode } from "../protocol/close-codes";
import type { TraceFrame } from "../protocol/frames";
import { TRACE_CHANNEL, type Connection } from "./connection";

/** What a monitor token granted a connection. */
export interface MonitorGrant {
  /** The dashboard session the token was issued to ("" for none). */
  session: string;
  expiresAt: number;
}

/** setTimeout takes at most 2^31-1 ms; a later expiry re-arms when that fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Batched monitors get a `traces` frame at most every TRACE_BATCH_MS, or sooner once
 * TRACE_BATCH_MAX records wait: at a few traces a second each goes out at once (the next turn),
 * at 10,000 a second a dashboard reads 20 frames a second instead of 10,000.
 */
export const TRACE_BATCH_MS = 50;
export const TRACE_BATCH_MAX = 500;

/**
 * The monitor sessions (dashboards) of a transport: who they are, until when their tokens hold,
 * and the trace records they receive. The bus is observed only while there is a monitor.
 * A monitor whose token expires without a fresh one, or whose dashboard session signs out, is
 * closed with 4401.
 */
export class Monitors {
  #entries = new Map<Connection, { grant: MonitorGrant; timer: NodeJS.Timeout; batched: boolean }>();
  #stopObserving: (() => void) | undefined;
  /** Serialised records waiting for the next `traces` frame. */
  #pending: string[] = [];
  #flushTimer: NodeJS.Timeout | undefined;
  #flushImmediate: NodeJS.Immediate | undefined;
  #lastFlush = -Infinity;

  constructor(
    private readonly bus: EventBus,
    private readonly instance: string,
    private readonly logger: Logger,
    private readonly sessionCheck: ((session: string) => boolean | Promise<boolean>) | undefined,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** Makes `connection` a monitor, or extends it with a fresh grant; `batched`: traces in `traces` frames. */
  grant(connection: Connection, grant: MonitorGrant, batched = false, now = Date.now()): void {
    const previous = this.#entries.get(connection);
    if (previous) clearTimeout(previous.timer);
    const timer = setTimeout(() => this.#expire(connection), Math.min(Math.max(0, grant.expiresAt - now), MAX_TIMER_MS)).unref();
    this.#entries.set(connection, { grant, timer, batched });
    connection.grantMonitor();
    this.#stopObserving ??= this.bus.observe((record) => this.#trace(record));
  }

  /** Whether a dashboard session is still signed in; a check that fails counts as "no". */
  async isSessionLive(session: string): Promise<boolean> {
    if (!this.sessionCheck) return true;
    try {
      return (await this.sessionCheck(session)) === true;
    } catch (error) {
      this.logger.warn({ err: error }, "Could not check a dashboard session: refusing the monitor token");
      return false;
    }
  }

  /** Closes the monitors of a dashboard session; returns how many. */
  endSession(session: string): number {
    const ended = [...this.#entries].filter(([, entry]) => entry.grant.session === session);
    for (const [connection] of ended) connection.close(CloseCode.MonitorSessionEnded, "the dashboard session ended");
    return ended.length;
  }

  /** The dashboard session a monitor's token was issued to ("" for none); undefined for a connection that is not a monitor. */
  sessionOf(connection: Connection): string | undefined {
    return this.#entries.get(connection)?.grant.session;
  }

  /** A closed connection leaves. */
  forget(connection: Connection): void {
    const entry = this.#entries.get(connection);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#entries.delete(connection);
    if (this.#entries.size === 0) this.#stop();
  }

  close(): void {
    for (const entry of this.#entries.values()) clearTimeout(entry.timer);
    this.#entries.clear();
    this.#stop();
  }

  #stop(): void {
    this.#stopObserving?.();
    this.#stopObserving = undefined;
    clearTimeout(this.#flushTimer);
    if (this.#flushImmediate) clearImmediate(this.#flushImmediate);
    this.#flushTimer = this.#flushImmediate = undefined;
    this.#pending = [];
  }

  #expire(connection: Connection): void {
    const entry = this.#entries.get(connection);
    if (!entry) return;
    if (entry.grant.expiresAt > Date.now()) return this.grant(connection, entry.grant, entry.batched);
    connection.close(CloseCode.MonitorSessionEnded, "the monitor token expired: reconnect with a fresh one");
  }

  /** Serialised once: a `trace` frame now for each unbatched monitor, a place in the next `traces` frame for the others. */
  #trace(record: TraceRecord): void {
    let json: string;
    try {
      const wire: Omit<TraceFrame, "type"> = { ...record, instance: (record as { instance?: string }).instance ?? this.instance };
      json = JSON.stringify(wire);
    } catch (error) {
      this.logger.warn({ event: record.name, err: error }, "A trace record could not be serialised");
      return;
    }
    let single: Buffer | undefined;
    let batched = false;
    for (const [monitor, entry] of this.#entries) {
      if (entry.batched) batched = true;
      else monitor.deliver(TRACE_CHANNEL, (single ??= Buffer.from(`{"type":"trace",${json.slice(1)}`)));
    }
    if (!batched) return;
    this.#pending.push(json);
    if (this.#pending.length >= TRACE_BATCH_MAX) this.#flush();
    else this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushTimer || this.#flushImmediate) return;
    const wait = this.#lastFlush + TRACE_BATCH_MS - performance.now();
    if (wait <= 0) this.#flushImmediate = setImmediate(() => this.#flush());
    else this.#flushTimer = setTimeout(() => this.#flush(), wait).unref();
  }

  #flush(): void {
    clearTimeout(this.#flushTimer);
    if (this.#flushImmediate) clearImmediate(this.#flushImmediate);
    this.#flushTimer = this.#flushImmediate = undefined;
    if (this.#pending.length === 0) return;
    const count = this.#pending.length;
    const frame = Buffer.from(`{"type":"traces","traces":[${this.#pending.join(",")}]}`);
    this.#pending = [];
    this.#lastFlush = performance.now();
    for (const [monitor, entry] of this.#entries) if (entry.batched) monitor.deliver(TRACE_CHANNEL, frame, undefined, count);
  }
}
