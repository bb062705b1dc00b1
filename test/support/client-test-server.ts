/**
 * Test support (not shipped): a scripted protocol-v1 server on a real `ws` WebSocketServer, port 0.
 * It answers ops the way the real server does (subscribe with `since` replays its history, unknown
 * names answer `not_found`), and lets a test push events and gaps, hold answers back, or drop
 * connections with `terminate()` or a close code.
 */
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import type { WireErrorCode } from "@/lib/events/shared/errors";
import { EVENTS_PATH, SUBPROTOCOL, type ClientOp, type EventFrame, type GapFrame, type ServerFrame } from "@/lib/events/protocol/frames";
import { parseClientOp } from "@/lib/events/protocol/parse-op";

export interface TestServerOptions {
  /** The `heartbeat` the welcome announces, in ms. @default 60_000 (no pings during a test) */
  heartbeat?: number;
  /** Public event names; subscribing to or triggering any other answers `not_found`. @default any name */
  events?: string[];
  /** Query handlers by name; other names answer `not_found`. */
  queries?: Record<string, (data: unknown) => unknown>;
  /** The monitor token the server accepts. @default "good-token" */
  monitorToken?: string | ((token: string) => boolean);
  /** The `protocol` field of the welcome. @default 1 */
  protocol?: number;
}

/**
 * Sees every op before the default answer. Return true when it handled the op (or chose to leave
 * it unanswered), false/undefined to let the server answer as usual.
 */
export type OpHook = (op: ClientOp, connection: TestConnection) => boolean | void;

/** One client socket, as the server sees it. */
export class TestConnection {
  readonly id: string;
  readonly socket: WebSocket;
  /** The subprotocols the client offered. */
  readonly offered: string[];
  readonly ops: ClientOp[] = [];
  readonly subscriptions = new Set<string>();
  monitor = false;
  closed = false;
  /** The close code the client sent, once it closed. */
  closeCode: number | undefined;

  constructor(id: string, socket: WebSocket, offered: string[]) {
    this.id = id;
    this.socket = socket;
    this.offered = offered;
  }

  send(frame: ServerFrame | Record<string, unknown>): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  /** A network cut, as the client sees it: no close frame, close code 1006. */
  terminate(): void {
    this.socket.terminate();
  }

  close(code: number, reason = ""): void {
    this.socket.close(code, reason);
  }
}

export class TestServer {
  readonly url: string;
  readonly connections: TestConnection[] = [];
  /** Runs before the default answer of every op. */
  onOp: OpHook | undefined;
  /** While false, new connections get no welcome (a server stuck mid-handshake). */
  welcoming = true;
  readonly #wss: WebSocketServer;
  readonly #options: TestServerOptions;
  readonly #epoch = Math.random().toString(36).slice(2, 8);
  #seq = 0;
  readonly #history = new Map<string, EventFrame[]>();

  private constructor(wss: WebSocketServer, options: TestServerOptions) {
    this.#wss = wss;
    this.#options = options;
    const port = (wss.address() as AddressInfo).port;
    this.url = `ws://127.0.0.1:${port}${EVENTS_PATH}`;
    wss.on("connection", (socket, request) => this.#accept(socket, String(request.headers["sec-websocket-protocol"] ?? "")));
  }

  static async start(options: TestServerOptions = {}): Promise<TestServer> {
    const wss = new WebSocketServer({
      port: 0,
      host: "127.0.0.1",
      path: EVENTS_PATH,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    await new Promise<void>((resolve) => wss.once("listening", resolve));
    return new TestServer(wss, options);
  }

  /** Connections still open. */
  get open(): TestConnection[] {
    return this.connections.filter((connection) => !connection.closed);
  }

  /** Every op received on any connection, optionally of one type. */
  ops<T extends ClientOp["type"]>(type?: T): Extract<ClientOp, { type: T }>[] {
    const all = this.connections.flatMap((connection) => connection.ops);
    return (type === undefined ? all : all.filter((op) => op.type === type)) as Extract<ClientOp, { type: T }>[];
  }

  /** Records an event in history and delivers it to every open connection subscribed to it. */
  push(event: string, data: unknown, id = this.nextId()): EventFrame {
    const frame: EventFrame = { type: "event", event, id, data };
    const history = this.#history.get(event) ?? [];
    history.push(frame);
    this.#history.set(event, history);
    for (const connection of this.open) if (connection.subscriptions.has(event)) connection.send(frame);
    return frame;
  }

  /** Sends a frame for `event` to subscribers without recording it (a replay, a duplicate). */
  sendToSubscribers(frame: EventFrame | GapFrame): void {
    for (const connection of this.open) if (connection.subscriptions.has(frame.event) || frame.event === "*") connection.send(frame);
  }

  nextId(): string {
    return `${this.#epoch}-${++this.#seq}`;
  }

  /** Forgets an event's history (as if it had been evicted). */
  forgetHistory(event: string): void {
    this.#history.delete(event);
  }

  /** Cuts every open connection (no close frame). */
  dropAll(): void {
    for (const connection of this.open) connection.terminate();
  }

  closeAll(code: number, reason = ""): void {
    for (const connection of this.open) connection.close(code, reason);
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.socket.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #accept(socket: WebSocket, protocols: string): void {
    const connection = new TestConnection(`c${this.connections.length + 1}`, socket, protocols ? protocols.split(/\s*,\s*/) : []);
    this.connections.push(connection);
    socket.on("close", (code) => {
      connection.closed = true;
      connection.closeCode = code;
    });
    socket.on("message", (data) => this.#receive(connection, String(data)));
    if (!this.welcoming) return;
    connection.send({
      type: "welcome",
      protocol: (this.#options.protocol ?? 1) as 1,
      connection: connection.id,
      heartbeat: this.#options.heartbeat ?? 60_000,
      queueSize: 5,
      instance: "test-instance",
      startedAt: 1_700_000_000_000,
    });
  }

  #receive(connection: TestConnection, text: string): void {
    const parsed = parseClientOp(text);
    if (!parsed.ok) return connection.send({ type: "error", ref: parsed.ref, code: "bad_request", message: parsed.message });
    const op = parsed.op;
    connection.ops.push(op);
    if (this.onOp?.(op, connection)) return;
    this.#answer(op, connection);
  }

  #answer(op: ClientOp, connection: TestConnection): void {
    const ok = (fields: Record<string, unknown> = {}) => connection.send({ type: "ok", ref: op.ref, ...fields });
    const fail = (code: WireErrorCode, message: string) => connection.send({ type: "error", ref: op.ref, code, message });
    const known = (name: string) => this.#options.events === undefined || this.#options.events.includes(name);
    switch (op.type) {
      case "subscribe": {
        if (!known(op.event)) return fail("not_found", `Unknown event "${op.event}"`);
        connection.subscriptions.add(op.event);
        const history = this.#history.get(op.event) ?? [];
        const last = history.at(-1)?.id ?? null;
        if (op.since === undefined) return ok({ last });
        const at = history.findIndex((frame) => frame.id === op.since);
        const recovered = at !== -1;
        ok({ recovered, last });
        if (!recovered) connection.send({ type: "gap", event: op.event, missed: null, reason: "history" });
        for (const frame of history.slice(at + 1)) connection.send(frame);
        return;
      }
      case "unsubscribe":
        connection.subscriptions.delete(op.event);
        return ok();
      case "trigger": {
        if (!known(op.event)) return fail("not_found", `Unknown event "${op.event}"`);
        const delivered = this.open.filter((other) => other.subscriptions.has(op.event)).length;
        const frame = this.push(op.event, op.data);
        return ok({ id: frame.id, handlers: 0, failed: 0, delivered });
      }
      case "request": {
        const handler = this.#options.queries?.[op.query];
        if (!handler) return fail("not_found", `Unknown query "${op.query}"`);
        try {
          return ok({ data: handler(op.data) });
        } catch (error) {
          return fail("handler_error", error instanceof Error ? error.message : String(error));
        }
      }
      case "describe":
        return ok({
          events: (this.#options.events ?? []).map((name) => ({ name, kind: "event", internal: false, singleton: false })),
          queries: Object.keys(this.#options.queries ?? {}).map((name) => ({ name, kind: "query", internal: false, singleton: true })),
        });
      case "ping":
        return ok();
      case "monitor": {
        const accepts = this.#options.monitorToken ?? "good-token";
        const valid = typeof accepts === "function" ? accepts(op.token) : op.token === accepts;
        if (!valid) return fail("unauthorized", "Bad monitor token");
        connection.monitor = true;
        return ok({ instance: "test-instance", startedAt: 1_700_000_000_000, expiresAt: Date.now() + 300_000, expiresIn: 300_000 });
      }
    }
  }
}
