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
 * The monitor sessions (dashboards) of a transport: who they are, until when their tokens hold,
 * and the trace records they receive. The bus is observed only while there is a monitor.
 * A monitor whose token expires without a fresh one, or whose dashboard session signs out, is
 * closed with 4401.
 */
export class Monitors {
  #entries = new Map<Connection, { grant: MonitorGrant; timer: NodeJS.Timeout }>();
  #stopObserving: (() => void) | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly instance: string,
    private readonly logger: Logger,
    private readonly sessionCheck: ((session: string) => boolean | Promise<boolean>) | undefined,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** Makes `connection` a monitor, or extends it with a fresh grant. */
  grant(connection: Connection, grant: MonitorGrant, now = Date.now()): void {
    const previous = this.#entries.get(connection);
    if (previous) clearTimeout(previous.timer);
    const timer = setTimeout(() => this.#expire(connection), Math.min(Math.max(0, grant.expiresAt - now), MAX_TIMER_MS)).unref();
    this.#entries.set(connection, { grant, timer });
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
    if (this.#entries.size === 0) {
      this.#stopObserving?.();
      this.#stopObserving = undefined;
    }
  }

  close(): void {
    for (const entry of this.#entries.values()) clearTimeout(entry.timer);
    this.#entries.clear();
    this.#stopObserving?.();
    this.#stopObserving = undefined;
  }

  #expire(connection: Connection): void {
    const entry = this.#entries.get(connection);
    if (!entry) return;
    if (entry.grant.expiresAt > Date.now()) return this.grant(connection, entry.grant);
    connection.close(CloseCode.MonitorSessionEnded, "the monitor token expired: reconnect with a fresh one");
  }

  /** One frame per record, serialised once for every monitor. */
  #trace(record: TraceRecord): void {
    let frame: Buffer;
    try {
      const wire: TraceFrame = { type: "trace", ...record, instance: (record as { instance?: string }).instance ?? this.instance };
      frame = Buffer.from(JSON.stringify(wire));
    } catch (error) {
      this.logger.warn({ event: record.name, err: error }, "A trace record could not be serialised");
      return;
    }
    for (const monitor of this.#entries.keys()) monitor.deliver(TRACE_CHANNEL, frame);
  }
}
