import type { EventStream, ListenOptions } from "./event-stream";
import { consoleLogger, type Logger } from "./logger";
import type { PayloadArgs, Source } from "./types";

/** The bus's tunables; `configure()` changes them, `DEFAULT_BUS_SETTINGS` holds the defaults. */
export interface BusSettings {
  /** Names this process among the app's instances (traces, cluster view). @default random */
  instance: string;
  /** Capacity of each `listen` queue. @default 5 */
  queueSize: number;
  /** Public events kept per name for replay after a reconnect. @default 100 */
  historySize: number;
  /** How long `request` waits when the caller gives no timeout, in ms. @default 10000 */
  requestTimeout: number;
  /** Largest public payload, as JSON bytes: what a browser could not be sent is refused at trigger. @default 65536 */
  maxPayload: number;
  /** Where handler errors are logged. @default errors and warnings to the console */
  logger: Logger;
}

export const DEFAULT_BUS_SETTINGS: Readonly<Omit<BusSettings, "instance">> = Object.freeze({
  queueSize: 5,
  historySize: 100,
  requestTimeout: 10_000,
  maxPayload: 65_536,
  logger: consoleLogger,
});

/**
 * What a trigger resolves to, in the same shape on the server (`events.trigger`) and in the
 * browser (`EventManager.trigger`).
 */
export interface TriggerReport {
  /** The new event's id. */
  id: string;
  name: string;
  /** Handlers that ran. */
  handlers: number;
  /** Handlers that threw. */
  failed: number;
  /** Browser connections the event was written or queued to. */
  delivered: number;
}

/** The server's report: also which handlers threw, with their errors (already logged; never sent to browsers). */
export interface DeliveryReport extends TriggerReport {
  failures: readonly HandlerFailure[];
}

export interface HandlerFailure {
  handler: string;
  error: unknown;
}

export interface TriggerOptions {
  /** Who triggers, for traces and `events.context()`. @default "server" */
  source?: Source;
  /** The id of the trace this fires again (the dashboard's Replay): its trace record carries it. */
  replayOf?: string;
}

export interface RequestOptions {
  /** @default BusSettings.requestTimeout */
  timeout?: number;
  signal?: AbortSignal;
  /** @default "server" */
  source?: Source;
  /** The id of the trace this asks again (the dashboard's Replay): its trace record carries it. */
  replayOf?: string;
}

/** One handler's outcome, from `requestSettled`. */
export type Settled<R> = { ok: true; handler: string; value: R } | { ok: false; handler: string; error: unknown };

/** What `measure` observers get: enough for metrics, nothing of the payload. */
export interface Measurement {
  kind: "trigger" | "request";
  name: string;
  internal: boolean;
  /** "ok", or the error code (a trigger with failing handlers: "handler_error"). */
  outcome: string;
  durationMs: number;
  handlers: number;
  failed: number;
  delivered: number;
}

/** Where public events go besides handlers and streams: the WebSocket transport registers one. */
export interface PublicEventSink {
  /** Writes (or queues) the event to every subscribed browser; returns how many connections it reached. */
  deliver(name: string, id: string, json: string): number;
  /** Tells every subscribed browser that events of `name` were lost (an adapter could not fetch them). */
  gap(name: string, missed: number | null): void;
  /** Tells every subscribed browser, of every name, that an unknown number of events may be lost (the shared history was replaced). */
  historyLost?(): void;
}

/** A typed handle on one declared event, returned by `createSignal`. */
export interface Signal<N extends string, T> {
  readonly name: N;
  trigger(...args: PayloadArgs<T>): Promise<DeliveryReport>;
  listen(options?: ListenOptions): EventStream<T>;
}

