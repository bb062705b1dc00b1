import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { EventBus } from "../core/bus";
import { consoleLogger, type Logger } from "../core/logger";
import type { EventsConfig } from "../config/keys";
import { CloseCode } from "../protocol/close-codes";
import { PROTOCOL_VERSION, SUBPROTOCOL } from "../protocol/frames";
import { addressKey } from "./address-key";
import { Admission, type AdmissionTicket } from "./admission";
import { Connection, type ConnectionStatus } from "./connection";
import { answerConnectionCommands } from "./connection-commands";
import { newCounters, type TransportCounters } from "./counters";
import { eventFrame } from "./frames";
import { InFlight } from "./in-flight";
import { Monitors } from "./monitors";
import { PatternGate } from "./pattern-gate";
import { identifyMember } from "./identify";
import { PresenceWatch } from "./presence-watch";
import { handleOp, type OpPort } from "./ops";
import { DISCONNECTED_EVENT } from "./ops/disconnect";
import { TokenBucket } from "./rate-limiter";
import { refuseUpgrade } from "./refuse-upgrade";
import { clipHeader, RefusalLog, type RefusalReason } from "./refusal-log";
import type { TransportStatus } from "./status";
import { SubscriberIndex } from "./subscriber-index";
import { requestView } from "./forwarded";
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
> &
  /** EVENTS_TRUST_PROXY: the origin check and per-address limits use the proxy's X-Forwarded-* headers. @default false */
  Partial<Pick<EventsConfig, "trustProxy">>;

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
  /**
   * Whether the dashboard may replay a recording (re-fire its triggers). Only a development
   * server should: in production a recording's triggers would reach real users. @default false
   */
  recordingReplay?: boolean;
}

export type TransportStats = TransportStatus & {
  subscriptions: number;
  queued: number;
  dropped: number;
  slowConsumerDisconnects: number;
};

/**
 * The server side of `/ws/events`: upgrades, connections, fan-out of public events, ops,
 * monitor traces, heartbeat and shutdown. Framework-free: server.ts hands it the upgrades of
 * its HTTP server. Subscriptions live in one SubscriberIndex, monitors in Monitors, and ops are
 * handled in ops/ through a small port.
 */
export class EventsTransport {
  readonly instance: string;
  readonly startedAt = Date.now();
  readonly counters: TransportCounters = newCounters();
  readonly refusals: RefusalLog;
  #bus: EventBus;
  #config: TransportConfig;
  #logger: Logger;
  #wss: WebSocketServer;
  #batch = new WriteBatch();
  #connections = new Set<Connection>();
  #subscribers = new SubscriberIndex();
  #monitors: Monitors;
  #gate: PatternGate;
  #presence: PresenceWatch;
  #admission: Admission;
  #inFlight = new InFlight();
  #port: OpPort;
  #accepting = true;
  #closing: Promise<void> | undefined;
  #heartbeat: NodeJS.Timeout;
  #detachSink: () => void;
  #stopCommands: () => void;

  constructor(options: TransportOptions) {
    this.#bus = options.bus;
    this.#config = options.config;
    this.#logger = options.logger ?? consoleLogger;
    this.instance = options.instance ?? this.#bus.instance;
    this.refusals = options.refusals ?? new RefusalLog(this.#logger);
    this.#admission = new Admission(this.#config);
    this.#monitors = new Monitors(this.#bus, this.instance, this.#logger, options.isSessionLive);
    this.#gate = new PatternGate(this.#logger);
    this.#presence = new PresenceWatch(this.#bus);
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
      historyLost: () => this.#historyLost(),
    });
    this.#heartbeat = setInterval(() => this.#beat(), this.#config.heartbeatMs).unref();
    this.#bus.createSignal(DISCONNECTED_EVENT, {
      internal: true,
      description: "A dashboard closed a browser connection (close code 4100): which, on which instance, why, and which monitor did it",
    });
    this.#stopCommands = answerConnectionCommands(this.#bus, {
      connections: () => this.#connections,
      subscriptionsOf: (connection) => this.#subscribers.namesOf(connection),
    });
    this.#port = {
      bus: this.#bus,
      settings: this.#config,
      logger: this.#logger,
      counters: this.counters,
      subscribers: this.#subscribers,
      monitors: this.#monitors,
      gate: this.#gate,
      presence: this.#presence,
      server: { instance: this.instance, startedAt: this.startedAt },
      recordingReplay: options.recordingReplay ?? false,
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
    const view = requestView(request, this.#config.trustProxy === true);
    const address = addressKey(view.address);
    const verdict = checkUpgrade(request, this.#config.allowedOrigins, this.#accepting, view.host);
    if (!verdict.ok) return this.#refuse(socket, request, address, verdict.status, verdict.reason, verdict.message);
    const admission = this.#admission.admit(address);
    if (!admission.ok) {
      return this.#refuse(socket, request, address, admission.status, admission.reason, admission.message, { "Retry-After": admission.retryAfterSeconds });
    }
    // The place is held while the socket is open, however the handshake or the connection ends.
    socket.once("close", admission.ticket.release);
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, request, view.address, admission.ticket));
  }

  /**
   * Ends the monitor sessions of a dashboard session (signed out, or revoked): each such
   * connection is closed with 4401; it may reconnect, and is a monitor again only with a token
   * of a live session. Returns how many were closed.
   */
  endMonitorSession(session: string): number {
    return this.#monitors.endSession(session);
  }

  /** What this instance shows in the cluster view (see `bus.reportStatus`). */
  status(): TransportStatus {
    return { connections: this.#connections.size, monitors: this.#monitors.size, subscribers: this.#subscribers.counts() };
  }

  stats(): TransportStats {
    let queued = 0;
    let dropped = 0;
    for (const connection of this.#connections) {
      queued += connection.queued;
      dropped += connection.dropped;
    }
    return { ...this.status(), subscriptions: this.#subscribers.total, queued, dropped, slowConsumerDisconnects: this.counters.slowConsumerDisconnects };
  }

  /** Browser connections an event of `name` reaches now: subscribed by name or by a matching pattern (none for an internal name). */
  reachOf(name: string): number {
    return this.#bus.find(name)?.internal === false ? this.#subscribers.subscriberCount(name) : 0;
  }

  /** Every open connection, with what it is subscribed to. */
  connections(): (ConnectionStatus & { subscriptions: string[] })[] {
    return [...this.#connections].map((connection) => ({ ...connection.status(), subscriptions: this.#subscribers.namesOf(connection) }));
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
    await Promise.race([this.#inFlight.drained(), delay(drainMs)]);
    const closed = [...this.#connections].map((connection) => new Promise<void>((resolve) => {
      connection.ws.once("close", () => resolve());
      connection.close(CloseCode.GoingAway, "server shutting down", 1_000);
    }));
    await Promise.race([Promise.all(closed), delay(1_500)]);
    this.#monitors.close();
    this.#presence.close();
    this.#detachSink();
    this.#stopCommands();
    this.#wss.close();
  }

  #refuse(socket: Duplex, request: IncomingMessage, address: string, status: number, reason: RefusalReason, message: string, headers: Record<string, string | number> = {}): void {
    this.counters.upgradesRefused[status] = (this.counters.upgradesRefused[status] ?? 0) + 1;
    this.refusals.note(reason, "Refused a /ws/events upgrade", {
      status,
      address,
      origin: clipHeader(request.headers.origin),
      why: message,
      ...(status === 429 && request.headers["x-forwarded-for"] !== undefined && this.#config.trustProxy !== true
        ? { hint: "The request came through a proxy: every client shares its address, so set EVENTS_TRUST_PROXY=1 (if your proxy is the only way in) or raise EVENTS_MAX_CONNECTIONS_PER_IP" }
        : {}),
    });
    refuseUpgrade(socket, status, message, headers);
  }

  #accept(ws: WebSocket, request: IncomingMessage, remoteAddress: string | undefined, ticket: AdmissionTicket): void {
    const id = randomBytes(6).toString("base64url");
    const info = { id, origin: request.headers.origin, remoteAddress, headers: request.headers };
    const connection = new Connection(id, ws, info, {
      queueSize: this.#config.queueSize,
      overflow: this.#config.overflow,
      batch: this.#batch,
      limiter: new TokenBucket(this.#config.rateLimit),
      addressLimiter: ticket.addressLimiter,
      limits: this.#config,
      counters: this.counters,
      member: identifyMember(id, request, this.#bus.identifyHook, this.#logger),
      onOverflowDisconnect: (slow) => {
        this.counters.slowConsumerDisconnects++;
        this.#logger.warn({ connection: slow.id }, "Closed a slow consumer (4008)");
      },
    });
    this.#connections.add(connection);
    this.counters.connectionsAccepted++;
    // An unhandled 'error' (a frame over maxPayload, invalid UTF-8…) would kill the process.
    ws.on("error", (error) => this.#logger.debug({ connection: id, err: error }, "WebSocket error"));
    ws.on("pong", () => connection.heard());
    ws.on("message", (data, isBinary) => {
      const op = connection.receive(data, isBinary);
      if (op) void handleOp(this.#port, connection, op, this.#inFlight);
    });
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

  #forget(connection: Connection): void {
    this.#connections.delete(connection);
    // Its memberships end with it: every presence-tracked name it held.
    for (const name of this.#subscribers.namesOf(connection)) if (this.#isPresenceTracked(name)) this.#bus.presenceLeave(name, connection.id);
    this.#presence.forget(connection);
    this.#subscribers.removeAll(connection);
    this.#monitors.forget(connection);
  }

  /**
   * The bus's sink: serialise the frame once and hand the same buffer to every subscriber — by
   * name, and by pattern (each connection once; for a pattern, only names its authorize hook
   * admits: while a hook is still thinking, the connection's events of the name are held).
   */
  #fanOut(name: string, id: string, json: string): number {
    const { byName, byPattern } = this.#subscribers.recipientsOf(name);
    if ((byName?.size ?? 0) === 0 && byPattern.length === 0) return 0;
    const frame = eventFrame(name, id, json);
    let delivered = 0;
    if (byName) for (const connection of byName) if (connection.deliver(name, frame, id)) delivered++;
    if (byPattern.length > 0) {
      const declaration = this.#bus.lookup(name, "event");
      for (const connection of byPattern) {
        const admitted = this.#gate.admits(connection, declaration);
        if (admitted === false) continue;
        if (admitted !== true && !connection.holds(name)) {
          connection.hold(name);
          void admitted.then((allowed) => (allowed ? connection.release(name, undefined) : connection.discard(name)));
        }
        if (connection.deliver(name, frame, id)) delivered++;
      }
    }
    this.counters.deliveries += delivered;
    return delivered;
  }

  #gap(name: string, missed: number | null): void {
    const { byName, byPattern } = this.#subscribers.recipientsOf(name);
    for (const connection of [...(byName ?? []), ...byPattern]) {
      this.counters.gaps.history++;
      connection.send({ type: "gap", event: name, missed, reason: "history" });
    }
  }

  /** A `gap` of unknown size for every subscription (a name, or a pattern as `<prefix>*`) of every connection. */
  #historyLost(): void {
    for (const connection of this.#connections) {
      for (const event of this.#subscribers.namesOf(connection)) {
        this.counters.gaps.history++;
        connection.send({ type: "gap", event, missed: null, reason: "history" });
      }
    }
  }

  #isPresenceTracked(name: string): boolean {
    const declaration = this.#bus.find(name);
    return declaration?.kind === "event" && declaration.presence;
  }

  #beat(): void {
    this.#admission.sweep();
    for (const connection of this.#connections) {
      if (connection.beat()) continue;
      this.#logger.info({ connection: connection.id }, "Terminated a connection that missed two pongs");
      connection.ws.terminate();
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
