import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import type { EventBus } from "../core/bus";
import { consoleLogger, type Logger } from "../core/logger";
import type { TraceRecord } from "../core/trace";
import type { EventsConfig } from "../config/keys";
import { CloseCode } from "../protocol/close-codes";
import { PROTOCOL_VERSION, SUBPROTOCOL, type ClientOp } from "../protocol/frames";
import { parseClientOp } from "../protocol/parse-op";
import { Connection, TRACE_CHANNEL } from "./connection";
import { newCounters, type TransportCounters } from "./counters";
import { handleOp, type OpContext } from "./handle-op";
import { TokenBucket } from "./rate-limiter";
import { checkUpgrade } from "./upgrade-guards";
import { WriteBatch } from "./write-batch";

export type TransportConfig = Pick<
  EventsConfig,
  | "secretKey"
  | "queueSize"
  | "overflow"
  | "maxPayload"
  | "allowedOrigins"
  | "heartbeatMs"
  | "requestTimeoutMs"
  | "maxSubscriptions"
  | "rateLimit"
>;

export interface TransportOptions {
  bus: EventBus;
  config: TransportConfig;
  logger?: Logger;
  /** Names this process among several. @default the bus's instance */
  instance?: string;
}

/** Bad frames tolerated within BAD_FRAME_WINDOW_MS before the connection is closed with 4000. */
const MAX_BAD_FRAMES = 10;
const BAD_FRAME_WINDOW_MS = 60_000;
/** Ops refused with `rate_limited` before the connection is closed with 4029. */
const MAX_RATE_STRIKES = 20;

export interface TransportStats {
  connections: number;
  monitors: number;
  subscriptions: number;
  subscribers: Record<string, number>;
  queued: number;
  dropped: number;
  slowConsumerDisconnects: number;
}

/**
 * The server side of `/ws/events`: upgrades, connections, subscriptions, fan-out of public
 * events, ops, monitor traces, heartbeat and shutdown. Framework-free: server.ts hands it the
 * upgrades of its HTTP server.
 */
export class EventsTransport {
  readonly instance: string;
  readonly startedAt = Date.now();
  readonly counters: TransportCounters = newCounters();
  #bus: EventBus;
  #config: TransportConfig;
  #logger: Logger;
  #wss: WebSocketServer;
  #batch = new WriteBatch();
  #connections = new Set<Connection>();
  #subscribers = new Map<string, Set<Connection>>();
  #monitors = new Set<Connection>();
  #inFlight = 0;
  #drained: (() => void) | undefined;
  #accepting = true;
  #closing: Promise<void> | undefined;
  #heartbeat: NodeJS.Timeout;
  #detachSink: () => void;
  #stopObserving: (() => void) | undefined;
  #ops: OpContext;

  constructor(options: TransportOptions) {
    this.#bus = options.bus;
    this.#config = options.config;
    this.#logger = options.logger ?? consoleLogger;
    this.instance = options.instance ?? this.#bus.instance;
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: this.#config.maxPayload,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    this.#detachSink = this.#bus.attachSink({
      deliver: (name, id, json) => this.#fanOut(name, id, json),
      gap: (name, missed) => this.#gap(name, missed),
    });
    this.#bus.describeSelfWith(() => {
      const stats = this.stats();
      return { connections: stats.connections, monitors: stats.monitors, subscribers: stats.subscribers };
    });
    this.#heartbeat = setInterval(() => this.#beat(), this.#config.heartbeatMs).unref();
    this.#ops = {
      bus: this.#bus,
      config: this.#config,
      logger: this.#logger,
      instance: this.instance,
      startedAt: this.startedAt,
      maxPayload: this.#config.maxPayload,
      counters: this.counters,
      subscribe: (connection, name) => this.#subscribe(connection, name),
      unsubscribe: (connection, name) => this.#unsubscribe(connection, name),
      subscriberCount: (name) => this.#subscribers.get(name)?.size ?? 0,
      becomeMonitor: (connection) => this.#becomeMonitor(connection),
      replayFrame: eventFrame,
      opStarted: () => void this.#inFlight++,
      opFinished: () => {
        if (--this.#inFlight === 0) this.#drained?.();
      },
    };
  }

  /** False once shutdown began: new upgrades are refused with 503. */
  get accepting(): boolean {
    return this.#accepting;
  }

  /** Takes an upgrade of `/ws/events`; refuses it with an HTTP status when a guard says no. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", (error) => this.#logger.debug({ err: error }, "Upgrade socket error"));
    const verdict = checkUpgrade(request, this.#config.allowedOrigins, this.#accepting);
    if (!verdict.ok) {
      this.counters.upgradesRefused[verdict.status] = (this.counters.upgradesRefused[verdict.status] ?? 0) + 1;
      this.#logger.warn({ status: verdict.status, origin: request.headers.origin, reason: verdict.message }, "Refused a /ws/events upgrade");
      return refuseUpgrade(socket, verdict.status, verdict.message);
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, request));
  }

  stats(): TransportStats {
    let subscriptions = 0;
    let queued = 0;
    let dropped = 0;
    for (const connection of this.#connections) {
      subscriptions += connection.subscriptions.size;
      queued += connection.queued;
      dropped += connection.dropped;
    }
    const subscribers: Record<string, number> = {};
    for (const [name, connections] of this.#subscribers) subscribers[name] = connections.size;
    return {
      connections: this.#connections.size,
      monitors: this.#monitors.size,
      subscriptions,
      subscribers,
      queued,
      dropped,
      slowConsumerDisconnects: this.counters.slowConsumerDisconnects,
    };
  }

  /** The live connections, for tests that check per-connection bounds. */
  connectionsForTest(): readonly Connection[] {
    return [...this.#connections];
  }

  /**
   * Graceful stop: refuses new upgrades, lets in-flight ops finish (at most `drainMs`), then
   * closes every socket with 1001 so that clients reconnect elsewhere.
   */
  close(drainMs = 5_000): Promise<void> {
    return (this.#closing ??= this.#close(drainMs));
  }

  async #close(drainMs: number): Promise<void> {
    this.#accepting = false;
    clearInterval(this.#heartbeat);
    // Ops keep arriving on open sockets while earlier ones finish: wait for all of them, within one deadline.
    const deadline = Date.now() + drainMs;
    if (this.#inFlight > 0) {
      await Promise.race([new Promise<void>((resolve) => (this.#drained = resolve)), delay(deadline - Date.now())]);
    }
    const closed = [...this.#connections].map((connection) => new Promise<void>((resolve) => {
      connection.ws.once("close", () => resolve());
      connection.close(CloseCode.GoingAway, "server shutting down", 1_000);
    }));
    await Promise.race([Promise.all(closed), delay(1_500)]);
    this.#detachSink();
    this.#stopObserving?.();
    this.#wss.close();
  }

  #accept(ws: WebSocket, request: IncomingMessage): void {
    const id = randomBytes(6).toString("base64url");
    const connection = new Connection(
      id,
      ws,
      {
        id,
        origin: request.headers.origin,
        remoteAddress: request.socket.remoteAddress,
        headers: request.headers,
      },
      {
        queueSize: this.#config.queueSize,
        overflow: this.#config.overflow,
        batch: this.#batch,
        limiter: new TokenBucket(this.#config.rateLimit),
        counters: this.counters,
        onOverflowDisconnect: (slow) => {
          this.counters.slowConsumerDisconnects++;
          this.#logger.warn({ connection: slow.id }, "Closed a slow consumer (4008)");
        },
      },
    );
    this.#connections.add(connection);
    this.counters.connectionsAccepted++;
    // An unhandled 'error' (a frame over maxPayload, invalid UTF-8…) would kill the process.
    ws.on("error", (error) => this.#logger.debug({ connection: id, err: error }, "WebSocket error"));
    ws.on("pong", () => (connection.missedPongs = 0));
    ws.on("message", (data, isBinary) => this.#receive(connection, data, isBinary));
    ws.on("close", () => this.#forget(connection));
    connection.send({
      type: "welcome",
      protocol: PROTOCOL_VERSION,
      connection: id,
      heartbeat: this.#config.heartbeatMs,
      queueSize: this.#config.queueSize,
      instance: this.instance,
      startedAt: this.startedAt,
    });
  }

  #receive(connection: Connection, data: RawData, isBinary: boolean): void {
    connection.missedPongs = 0;
    const parsed = isBinary ? undefined : parseClientOp(rawText(data));
    if (!connection.limiter.take()) {
      // Refused ops still get their reply, with their ref, so that the client's promise settles.
      const ref = parsed === undefined ? null : parsed.ok ? parsed.op.ref : parsed.ref;
      this.counters.rateLimited++;
      connection.send({ type: "error", ref, code: "rate_limited", message: `Too many ops: at most ${this.#config.rateLimit} per second` });
      if (++connection.rateStrikes > MAX_RATE_STRIKES) connection.close(CloseCode.RateLimited, "rate limit exceeded");
      return;
    }
    connection.rateStrikes = 0;
    if (parsed === undefined) return this.#badFrame(connection, null, "Binary frames are not part of protocol v1: send JSON text");
    if (!parsed.ok) return this.#badFrame(connection, parsed.ref, parsed.message);
    this.#run(connection, parsed.op);
  }

  #run(connection: Connection, op: ClientOp): void {
    if (op.type === "subscribe" || op.type === "unsubscribe") void this.#inOrder(connection, op.event, op);
    else void handleOp(this.#ops, connection, op);
  }

  /**
   * A subscribe may wait for an authorize hook; an unsubscribe sent right after it must not
   * overtake it (a component that mounts and unmounts at once would stay subscribed). Ops on
   * one name of one connection therefore run one after another; everything else stays concurrent.
   */
  #inOrder(connection: Connection, name: string, op: ClientOp): Promise<void> {
    const previous = connection.nameChains.get(name);
    const running = previous ? previous.then(() => handleOp(this.#ops, connection, op)) : handleOp(this.#ops, connection, op);
    connection.nameChains.set(name, running);
    void running.finally(() => {
      if (connection.nameChains.get(name) === running) connection.nameChains.delete(name);
    });
    return running;
  }

  #badFrame(connection: Connection, ref: string | number | null, message: string): void {
    this.counters.badFrames++;
    connection.send({ type: "error", ref, code: "bad_request", message });
    if (connection.noteBadFrame(Date.now(), BAD_FRAME_WINDOW_MS) > MAX_BAD_FRAMES) {
      connection.close(CloseCode.ProtocolAbuse, "too many unreadable frames");
    }
  }

  #subscribe(connection: Connection, name: string): void {
    connection.subscriptions.add(name);
    let subscribers = this.#subscribers.get(name);
    if (!subscribers) this.#subscribers.set(name, (subscribers = new Set()));
    subscribers.add(connection);
  }

  #unsubscribe(connection: Connection, name: string): void {
    connection.subscriptions.delete(name);
    const subscribers = this.#subscribers.get(name);
    if (!subscribers) return;
    subscribers.delete(connection);
    if (subscribers.size === 0) this.#subscribers.delete(name);
  }

  #becomeMonitor(connection: Connection): void {
    connection.monitor = true;
    this.#monitors.add(connection);
    this.#stopObserving ??= this.#bus.observe((record) => this.#trace(record));
  }

  #forget(connection: Connection): void {
    this.#connections.delete(connection);
    for (const name of [...connection.subscriptions]) this.#unsubscribe(connection, name);
    if (this.#monitors.delete(connection) && this.#monitors.size === 0) {
      this.#stopObserving?.();
      this.#stopObserving = undefined;
    }
  }

  /** The bus's sink: serialise the frame once and hand the same buffer to every subscriber. */
  #fanOut(name: string, id: string, json: string): number {
    const subscribers = this.#subscribers.get(name);
    if (!subscribers || subscribers.size === 0) return 0;
    const frame = eventFrame(name, id, json);
    let delivered = 0;
    for (const connection of subscribers) if (connection.deliver(name, frame, id)) delivered++;
    this.counters.deliveries += delivered;
    return delivered;
  }

  #gap(name: string, missed: number | null): void {
    for (const connection of this.#subscribers.get(name) ?? []) {
      this.counters.gaps.history++;
      connection.send({ type: "gap", event: name, missed, reason: "history" });
    }
  }

  #trace(record: TraceRecord): void {
    let frame: Buffer;
    try {
      frame = Buffer.from(JSON.stringify({ type: "trace", ...record, instance: this.instance }));
    } catch (error) {
      this.#logger.warn({ event: record.name, err: error }, "A trace record could not be serialised");
      return;
    }
    for (const monitor of this.#monitors) monitor.deliver(TRACE_CHANNEL, frame);
  }

  #beat(): void {
    for (const connection of this.#connections) {
      if (connection.missedPongs >= 2) {
        this.#logger.info({ connection: connection.id }, "Terminated a connection that missed two pongs");
        connection.ws.terminate();
        continue;
      }
      connection.missedPongs++;
      connection.ws.ping();
    }
  }
}

/** `{"type":"event",…}` around an already-serialised payload. */
function eventFrame(name: string, id: string, json: string): Buffer {
  return Buffer.from(`{"type":"event","event":${JSON.stringify(name)},"id":${JSON.stringify(id)},"data":${json}}`);
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const reason = { 400: "Bad Request", 403: "Forbidden", 503: "Service Unavailable" }[status] ?? "Error";
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
