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
import { addressKey } from "./address-key";
import { Admission, type AdmissionTicket } from "./admission";
import { handleOp, type OpContext } from "./handle-op";
import { MonitorRoster, type MonitorGrant } from "./monitor-roster";
import { TokenBucket } from "./rate-limiter";
import { refuseUpgrade } from "./refuse-upgrade";
import { clipHeader, RefusalLog } from "./refusal-log";
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
  | "rateLimitPerIp"
  | "maxConnections"
  | "maxConnectionsPerIp"
  | "dashboardToken"
>;

export interface TransportOptions {
  bus: EventBus;
  config: TransportConfig;
  logger?: Logger;
  /** Names this process among several. @default the bus's instance */
  instance?: string;
  /** Where refusals are counted and logged; share one with the HTTP server. @default a new one on `logger` */
  refusals?: RefusalLog;
  /**
   * Whether the dashboard session a monitor token was issued to is still signed in. Without it,
   * a monitor token is good until it expires.
   */
  isSessionLive?: (session: string) => boolean | Promise<boolean>;
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
  #monitors = new MonitorRoster((connection) => connection.close(CloseCode.MonitorSessionEnded, "the monitor token expired: reconnect with a fresh one"));
  #admission: Admission;
  readonly refusals: RefusalLog;
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
    this.refusals = options.refusals ?? new RefusalLog(this.#logger);
    this.#admission = new Admission(this.#config);
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
      becomeMonitor: (connection, grant) => this.#becomeMonitor(connection, grant),
      isSessionLive: options.isSessionLive,
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

  /**
   * Takes an upgrade of `/ws/events`; refuses it with an HTTP status when a guard says no, or when
   * the process or the client's address holds the most connections allowed.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", (error) => this.#logger.debug({ err: error }, "Upgrade socket error"));
    const address = addressKey(request.socket.remoteAddress);
    const verdict = checkUpgrade(request, this.#config.allowedOrigins, this.#accepting);
    if (!verdict.ok) return this.#refuse(socket, request, address, verdict.status, verdict.reason, verdict.message);
    const admission = this.#admission.admit(address);
    if (!admission.ok) {
      return this.#refuse(socket, request, address, admission.status, admission.reason, admission.message, { "Retry-After": admission.retryAfterSeconds });
    }
    // The place is held while the socket is open, however the handshake or the connection ends.
    socket.once("close", admission.ticket.release);
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, request, admission.ticket));
  }

  /**
   * Ends the monitor sessions of a dashboard session (signed out, or revoked): each such
   * connection is closed with 4401; it may reconnect, and is a monitor again only with a token
   * of a live session. Returns how many were closed.
   */
  endMonitorSession(session: string): number {
    const monitors = this.#monitors.ofSession(session);
    for (const connection of monitors) connection.close(CloseCode.MonitorSessionEnded, "the dashboard session ended");
    return monitors.length;
  }

  #refuse(
    socket: Duplex,
    request: IncomingMessage,
    address: string,
    status: number,
    reason: Parameters<RefusalLog["note"]>[0],
    message: string,
    headers: Record<string, string | number> = {},
  ): void {
    this.counters.upgradesRefused[status] = (this.counters.upgradesRefused[status] ?? 0) + 1;
    this.refusals.note(reason, "Refused a /ws/events upgrade", {
      status,
      address,
      origin: clipHeader(request.headers.origin),
      why: message,
      ...(status === 429 && request.headers["x-forwarded-for"] !== undefined
        ? { hint: "The request came through a proxy: every client shares its address, so raise EVENTS_MAX_CONNECTIONS_PER_IP" }
        : {}),
    });
    refuseUpgrade(socket, status, message, headers);
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
    this.#monitors.clear();
    this.#detachSink();
    this.#stopObserving?.();
    this.#wss.close();
  }

  #accept(ws: WebSocket, request: IncomingMessage, ticket: AdmissionTicket): void {
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
        addressLimiter: ticket.addressLimiter,
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
    const overLimit = !connection.limiter.take()
      ? `Too many ops: at most ${this.#config.rateLimit} per second per connection`
      : // The dashboard is trusted, and must not spend the budget of its developer's own pages.
        !connection.monitor && !connection.addressLimiter.take()
        ? `Too many ops from your address: at most ${this.#config.rateLimitPerIp} per second across its connections`
        : undefined;
    if (overLimit) {
      // Refused ops still get their reply, with their ref, so that the client's promise settles.
      const ref = parsed === undefined ? null : parsed.ok ? parsed.op.ref : parsed.ref;
      this.counters.rateLimited++;
      connection.send({ type: "error", ref, code: "rate_limited", message: overLimit });
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

  #becomeMonitor(connection: Connection, grant: MonitorGrant): void {
    connection.monitor = true;
    this.#monitors.grant(connection, grant);
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
    this.#admission.sweep();
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

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
