import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import WebSocket from "ws";
import { EventBus, type BusSettings } from "@/lib/events/core/bus";
import { silentLogger, type Logger } from "@/lib/events/core/logger";
import { EVENTS_PATH, SUBPROTOCOL, type ServerFrame } from "@/lib/events/protocol";
import { EventsTransport, type TransportConfig, type TransportOptions } from "@/lib/events/server";
import { waitFor } from "./wait-for";

export const TEST_SECRET = "transport-test-secret-0123456789";

export const DEFAULT_TEST_CONFIG: TransportConfig = {
  secretKey: TEST_SECRET,
  queueSize: 5,
  overflow: "drop-oldest",
  maxPayload: 65_536,
  allowedOrigins: [],
  heartbeatMs: 30_000,
  requestTimeoutMs: 5_000,
  maxSubscriptions: 100,
  rateLimit: 1_000,
  // Every test client comes from 127.0.0.1: the per-address limits have tests of their own.
  rateLimitPerIp: 1_000_000,
  maxConnections: 100_000,
  maxConnectionsPerIp: 100_000,
  dashboardToken: undefined,
};

export interface Harness {
  bus: EventBus;
  transport: EventsTransport;
  server: Server;
  url: string;
  /** A raw protocol client; closed by `close()`. */
  connect(options?: ConnectOptions): Promise<RawClient>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  origin?: string;
  /** Extra headers of the upgrade request (cookies, say, for an identify hook). */
  headers?: Record<string, string>;
  protocols?: string[];
  /** Wait for the welcome frame. @default true */
  awaitWelcome?: boolean;
  autoPong?: boolean;
}

/** An HTTP server on port 0 with `/ws/events` mounted on a fresh bus. */
export async function startTransport(
  config: Partial<TransportConfig> = {},
  busSettings: Partial<BusSettings> = {},
  logger: Logger = silentLogger,
  options: Pick<TransportOptions, "refusals" | "isSessionLive" | "recordingReplay"> = {},
): Promise<Harness> {
  const bus = new EventBus({ logger, instance: "test-instance", maxPayload: config.maxPayload ?? DEFAULT_TEST_CONFIG.maxPayload, ...busSettings });
  const transport = new EventsTransport({ bus, config: { ...DEFAULT_TEST_CONFIG, ...config }, logger, instance: "test-instance", ...options });
  bus.reportStatus(() => transport.status());
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on("upgrade", (req, socket, head) => {
    if (req.url?.split("?")[0] === EVENTS_PATH) transport.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `ws://127.0.0.1:${port}${EVENTS_PATH}`;
  const clients = new Set<RawClient>();
  return {
    bus,
    transport,
    server,
    url,
    async connect(options = {}) {
      const client = await RawClient.open(url, options);
      clients.add(client);
      return client;
    },
    async close() {
      for (const client of clients) client.terminate();
      await transport.close(100);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A bare WebSocket speaking protocol v1 by hand, recording every frame it receives. */
export class RawClient {
  readonly ws: WebSocket;
  readonly frames: ServerFrame[] = [];
  closeCode: number | undefined;
  #nextRef = 1;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data, isBinary) => {
      if (!isBinary) this.frames.push(JSON.parse(data.toString()) as ServerFrame);
    });
    ws.on("close", (code) => (this.closeCode = code));
    ws.on("error", () => {});
  }

  static async open(url: string, options: ConnectOptions = {}): Promise<RawClient> {
    const ws = new WebSocket(url, options.protocols ?? [SUBPROTOCOL], {
      ...(options.origin ? { origin: options.origin } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
      perMessageDeflate: false,
      autoPong: options.autoPong ?? true,
    });
    const client = new RawClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once("error", reject);
    });
    if (options.awaitWelcome ?? true) await client.next((frame) => frame.type === "welcome");
    return client;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** Sends an op with a fresh ref and resolves to its `ok` or `error` frame. */
  async op(frame: Record<string, unknown>): Promise<Record<string, unknown>> {
    const ref = `r${this.#nextRef++}`;
    this.send({ ...frame, ref });
    return (await this.next((reply) => (reply.type === "ok" || reply.type === "error") && reply.ref === ref)) as unknown as Record<string, unknown>;
  }

  /** The first frame (received so far or later) matching `predicate`. */
  next(predicate: (frame: ServerFrame) => boolean, timeoutMs = 5_000): Promise<ServerFrame> {
    return waitFor(() => this.frames.find(predicate), "a matching frame", timeoutMs);
  }

  ofType<T extends ServerFrame["type"]>(type: T): Extract<ServerFrame, { type: T }>[] {
    return this.frames.filter((frame) => frame.type === type) as Extract<ServerFrame, { type: T }>[];
  }

  closed(timeoutMs = 5_000): Promise<number> {
    return waitFor(() => this.closeCode, "the connection to close", timeoutMs);
  }

  terminate(): void {
    this.ws.terminate();
  }
}
