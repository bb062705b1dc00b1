import { ConfigError } from "../shared/errors";
import { EVENTS_PATH, SUBPROTOCOL } from "../protocol/frames";
import { fullJitterBackoff, type Backoff } from "./backoff";
import type { CreateSocket, SocketLike, WebSocketConstructor } from "./socket";

/** Options of `new EventManager(options)`. Every one has a default; none is required in a browser. */
export interface EventManagerOptions {
  /**
   * The server's events endpoint. Required outside a browser.
   * @default `ws(s)://${location.host}/ws/events`, matching the page's scheme
   */
  url?: string;
  /** The WebSocket class to use (`import { WebSocket } from "ws"` in Node). @default globalThis.WebSocket */
  WebSocket?: WebSocketConstructor;
  /** Opens the socket instead of `new WebSocket(url, protocols)`; wins over `WebSocket`. */
  createSocket?: CreateSocket;
  /** The delay before reconnect attempt `attempt`, in ms. Should it throw or return nonsense, full jitter is used. @default fullJitterBackoff */
  backoff?: Backoff;
  /** How long `trigger`, `describe`, `subscribe` and `monitor` wait for an answer, and `request` by default, in ms. @default 10_000 */
  requestTimeout?: number;
  /** How long a socket may take from opening to the server's `welcome` before it is dropped and retried, in ms. @default 10_000 */
  connectTimeout?: number;
}

/** The defaults, in one place. */
export const DEFAULT_CLIENT_OPTIONS = {
  /** @default 10_000 */
  requestTimeout: 10_000,
  /** @default 10_000 */
  connectTimeout: 10_000,
} as const;

/**
 * Client constants that are not options. Exported so docs and tests can name them rather than
 * repeat the numbers.
 */
export const CLIENT_LIMITS = {
  /** The local timer of a `request` runs this much longer (at most; never more than the timeout itself) than the timeout sent to the server, so the server's own `timeout` error normally wins the race. */
  requestGraceMs: 1_000,
  /** After an unanswered `ping`, the client waits one heartbeat, but never longer than this, before it drops the socket. */
  maxPongWaitMs: 10_000,
  /** Event ids remembered per subscription to drop duplicates after a resubscribe. */
  recentIdsPerEvent: 256,
  /** The protocol's limit on `request.timeout`, in ms. */
  maxServerTimeoutMs: 600_000,
} as const;

/** What a shared connection needs: fixed by the first manager that opens a URL. */
export interface ConnectionSettings {
  url: string;
  openSocket: () => SocketLike;
  backoff: Backoff;
  connectTimeout: number;
}

/** What each manager decides for itself. */
export interface ManagerSettings {
  requestTimeout: number;
}

/** Validates the options once, with errors that name the key, the value and what is allowed. */
export function resolveOptions(options: EventManagerOptions = {}): { connection: ConnectionSettings; manager: ManagerSettings } {
  const url = options.url ?? defaultUrl();
  if (!/^wss?:\/\/./i.test(url)) {
    throw new ConfigError(`EventManager option "url" is ${JSON.stringify(url)}: expected a ws:// or wss:// URL`);
  }
  const requestTimeout = positiveMs("requestTimeout", options.requestTimeout ?? DEFAULT_CLIENT_OPTIONS.requestTimeout);
  const connectTimeout = positiveMs("connectTimeout", options.connectTimeout ?? DEFAULT_CLIENT_OPTIONS.connectTimeout);
  return {
    connection: { url, openSocket: socketOpener(url, options), backoff: options.backoff ?? fullJitterBackoff, connectTimeout },
    manager: { requestTimeout },
  };
}

/** The page's own events endpoint, on the scheme that matches the page. */
export function defaultUrl(): string {
  const location = (globalThis as { location?: { protocol: string; host: string } }).location;
  if (!location?.host) {
    throw new ConfigError('EventManager option "url" is required outside a browser');
  }
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${EVENTS_PATH}`;
}

function socketOpener(url: string, options: EventManagerOptions): () => SocketLike {
  const { createSocket } = options;
  if (createSocket) return () => createSocket(url, [SUBPROTOCOL]);
  const Socket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof Socket !== "function") {
    throw new ConfigError('No WebSocket in this runtime: pass the EventManager option "WebSocket" (e.g. from "ws") or "createSocket"');
  }
  return () => new Socket(url, [SUBPROTOCOL]);
}

/** A finite number above zero (Number.isFinite is false for anything that is not a number). */
export function isPositiveMs(value: unknown): value is number {
  return Number.isFinite(value) && (value as number) > 0;
}

function positiveMs(key: string, value: number): number {
  if (!isPositiveMs(value)) {
    throw new ConfigError(`EventManager option "${key}" is ${String(value)}: expected a positive number of ms`);
  }
  return value;
}
