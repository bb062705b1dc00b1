/**
 * One benchmark server, in its own process (forked by the parent; BENCH_KIND names the contender).
 * Every contender listens on 127.0.0.1 on a bare node:http server, compression off:
 * - ours: EventBus + EventsTransport on /ws/events (as test/support/transport-harness.ts mounts it;
 *   Next is not on the WebSocket path), default queue (EVENTS_EVENT_QUEUE_SIZE=5, drop-oldest);
 * - ws-naive: one prepared Buffer sent to every subscriber with ws.send, no batching;
 * - ws-corked: the same, each socket corked for the burst and uncorked on process.nextTick;
 * - socketio: Socket.IO 4.8, websocket transport only, room broadcast `io.to(room).emit`.
 * With BENCH_REDIS_URL, ours and socketio join a cluster on that Redis (ours: RedisAdapter;
 * Socket.IO: @socket.io/redis-adapter), as instance BENCH_INSTANCE.
 * The parent drives it with commands (see `serve` below) and reads its CPU and memory.
 */
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { Session as InspectorSession } from "node:inspector/promises";
import type { AddressInfo, Socket } from "node:net";
import { setImmediate as nextTurn } from "node:timers/promises";
import { createAdapter as createSocketIoRedisAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { Server as SocketIOServer } from "socket.io";
import { WebSocketServer, type WebSocket } from "ws";
import { RedisAdapter } from "../../lib/events/adapters/redis";
import { EventBus } from "../../lib/events/core/bus";
import { silentLogger } from "../../lib/events/core/logger";
import { EVENTS_PATH } from "../../lib/events/protocol";
import { EventsTransport, type TransportConfig } from "../../lib/events/server";
import { ECHO, EVENT, now, padFor, ROOM, sleep, speaksOurs, type ServerKind, type ServerWindow, type TickPayload } from "./common";
import { serve } from "./rpc";

const kind = process.env.BENCH_KIND as ServerKind;
const redisUrl = process.env.BENCH_REDIS_URL;
const instance = process.env.BENCH_INSTANCE ?? "bench";

/** What every contender offers the benchmark. */
interface Contender {
  /** Sends one event to every subscriber. */
  emit(payload: TickPayload): void;
  subscribers(): number;
  stats?(): Record<string, unknown>;
}

const server = createServer((_request, response) => response.writeHead(404).end());
let errors = 0;
let lastError = "";
const noteError = (error: unknown) => {
  errors++;
  lastError = error instanceof Error ? error.message : String(error);
};

async function ours(): Promise<Contender> {
  const config: TransportConfig = {
    secretKey: "bench-secret-0123456789abcdef",
    queueSize: Number(process.env.BENCH_QUEUE_SIZE ?? 5),
    overflow: "drop-oldest",
    maxPayload: 65_536,
    allowedOrigins: [],
    heartbeatMs: 30_000,
    requestTimeoutMs: 10_000,
    maxSubscriptions: 100,
    // The default (100 ops/s per connection) is a browser's budget; request/reply measures the
    // transport, so one connection may send as many as the protocol allows.
    rateLimit: 1_000_000,
    // Every benchmark client connects from 127.0.0.1.
    rateLimitPerIp: 1_000_000,
    maxConnections: 100_000,
    maxConnectionsPerIp: 100_000,
    dashboardToken: undefined,
  };
  const bus = new EventBus({ logger: silentLogger, instance });
  if (redisUrl) {
    bus.useAdapter(await RedisAdapter.connect({ url: redisUrl, instance, historySize: 100, logger: silentLogger }));
    const deadline = Date.now() + 10_000;
    while (bus.adapter.state !== "ready") {
      if (Date.now() > deadline) throw new Error(`ours: the Redis adapter is not ready after 10 s (${redisUrl})`);
      await sleep(20);
    }
  }
  bus.createSignal(EVENT, { internal: false });
  bus.query(ECHO, (data: unknown) => data, { internal: false });
  const transport = new EventsTransport({ bus, config, logger: silentLogger, instance });
  server.on("upgrade", (request, socket, head) => {
    if (request.url?.split("?")[0] === EVENTS_PATH) transport.handleUpgrade(request, socket, head);
    else socket.destroy();
  });
  return {
    // Not awaited: like the peers, a burst is triggered within one turn (the fan-out itself is
    // synchronous inside trigger; the promise only reports handler outcomes).
    emit: (payload) => void bus.trigger(EVENT, payload).catch(noteError),
    // By name or by a pattern that matches it ("ours-pattern" clients subscribe to `bench:*`).
    subscribers: () => transport.reachOf(EVENT),
    stats: () => {
      const { connections, queued, dropped, slowConsumerDisconnects } = transport.stats();
      return { connections, queued, dropped, slowConsumerDisconnects };
    },
  };
}

const TEXT = Object.freeze({ binary: false });

function rawWs(corked: boolean): Contender {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false, maxPayload: 65_536 });
  const subscribers = new Set<WebSocket>();
  server.on("upgrade", (request, socket, head) => wss.handleUpgrade(request, socket, head, (ws) => accept(ws)));
  function accept(ws: WebSocket): void {
    ws.on("error", noteError);
    ws.on("close", () => subscribers.delete(ws));
    ws.on("message", (data, isBinary) => {
      const text = isBinary ? "" : String(data);
      if (text === "sub") {
        subscribers.add(ws);
        ws.send("ready");
        return;
      }
      // Echo with a correlation id: parse, answer the same id and data.
      try {
        const message = JSON.parse(text) as { id: number; d: unknown };
        ws.send(JSON.stringify({ id: message.id, d: message.d }));
      } catch (error) {
        noteError(error);
      }
    });
  }
  let corkedSockets: Socket[] = [];
  let uncorkScheduled = false;
  const uncorkAll = () => {
    uncorkScheduled = false;
    const sockets = corkedSockets;
    corkedSockets = [];
    for (const socket of sockets) socket.uncork();
  };
  return {
    emit: corked
      ? (payload) => {
          const frame = Buffer.from(JSON.stringify(payload));
          for (const ws of subscribers) {
            const socket = (ws as unknown as { _socket: Socket })._socket;
            if (socket.writableCorked === 0) {
              socket.cork();
              corkedSockets.push(socket);
              if (!uncorkScheduled) {
                uncorkScheduled = true;
                process.nextTick(uncorkAll);
              }
            }
            ws.send(frame, TEXT);
          }
        }
      : (payload) => {
          const frame = Buffer.from(JSON.stringify(payload));
          for (const ws of subscribers) ws.send(frame, TEXT);
        },
    subscribers: () => subscribers.size,
  };
}

async function socketIo(): Promise<Contender> {
  const io = new SocketIOServer(server, { perMessageDeflate: false, transports: ["websocket"], serveClient: false });
  if (redisUrl) {
    const publisher = new Redis(redisUrl);
    const subscriber = publisher.duplicate();
    await Promise.all([publisher, subscriber].map((client) => new Promise((resolve, reject) => client.once("ready", resolve).once("error", reject))));
    io.adapter(createSocketIoRedisAdapter(publisher, subscriber));
  }
  io.on("connection", (socket) => {
    socket.on("error", noteError);
    socket.on("sub", (ack: () => void) => {
      void socket.join(ROOM);
      ack();
    });
    socket.on("echo", (data: unknown, ack: (data: unknown) => void) => ack(data));
    socket.on("bping", (ack: () => void) => ack());
  });
  return {
    emit: (payload) => io.to(ROOM).emit("tick", payload),
    subscribers: () => io.sockets.adapter.rooms.get(ROOM)?.size ?? 0,
  };
}

if (redisUrl && !speaksOurs(kind) && kind !== "socketio") throw new Error(`BENCH_KIND "${kind}" has no cluster variant`);
const contender = speaksOurs(kind) ? await ours() : kind === "ws-naive" ? rawWs(false) : kind === "ws-corked" ? rawWs(true) : kind === "socketio" ? await socketIo() : undefined;
if (!contender) throw new Error(`BENCH_KIND "${kind}" is not a server kind`);

await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = (server.address() as AddressInfo).port;

// ── measurement windows ───────────────────────────────────────────────────

type Memory = ServerWindow["before"];
const memory = (): Memory => {
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, external, arrayBuffers };
};
let window: { cpu: NodeJS.CpuUsage; startedAt: number; before: Memory; peak: Memory; sampler: NodeJS.Timeout } | undefined;

let samples = 0;
/**
 * RSS every 100 ms; the full breakdown (heap statistics too) every 200 ms. Reading RSS costs about
 * 0.5 ms of CPU on these VMs (/proc), so sampling faster would bias the CPU figures.
 */
function sample(full = false): void {
  if (!window) return;
  if (!full && ++samples % 2 !== 0) {
    window.peak.rss = Math.max(window.peak.rss, process.memoryUsage.rss());
    return;
  }
  const current = memory();
  for (const key of Object.keys(current) as (keyof Memory)[]) window.peak[key] = Math.max(window.peak[key], current[key]);
}

/** With BENCH_PROFILE_DIR, every window is CPU-profiled (V8 sampling profiler) into `<dir>/<kind>-<label>.cpuprofile`. */
const profileDir = process.env.BENCH_PROFILE_DIR;
let profiler: InspectorSession | undefined;
let profileLabel = "";

async function startProfile(label: string): Promise<void> {
  if (!profileDir) return;
  if (!profiler) {
    profiler = new InspectorSession();
    profiler.connect();
    await profiler.post("Profiler.enable");
    await profiler.post("Profiler.setSamplingInterval", { interval: 250 });
  }
  profileLabel = label;
  await profiler.post("Profiler.start");
}

async function stopProfile(): Promise<string | undefined> {
  if (!profiler || !profileDir) return undefined;
  const { profile } = await profiler.post("Profiler.stop");
  const file = `${profileDir}/${kind}-${profileLabel || "window"}.cpuprofile`;
  writeFileSync(file, JSON.stringify(profile));
  return file;
}

/** Starts a window: GC, memory before, CPU from now, memory sampled every 100 ms. */
async function mark(label: string | undefined): Promise<Memory> {
  if (window) clearInterval(window.sampler);
  await startProfile(label ?? "window");
  (globalThis as { gc?: () => void }).gc?.();
  const before = memory();
  window = { cpu: process.cpuUsage(), startedAt: performance.now(), before, peak: { ...before }, sampler: setInterval(sample, 100) };
  samples = 0;
  return before;
}

async function stop(): Promise<ServerWindow & { profile?: string }> {
  if (!window) throw new Error("stop without mark");
  sample(true);
  clearInterval(window.sampler);
  const cpu = process.cpuUsage(window.cpu);
  const startedAt = window.startedAt;
  const profile = await stopProfile();
  const result: ServerWindow = {
    cpuUs: cpu.user + cpu.system,
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    wallMs: performance.now() - startedAt,
    before: window!.before,
    peak: window!.peak,
    maxRss: process.resourceUsage().maxRSS * 1024,
    ...(contender!.stats ? { stats: contender!.stats() } : {}),
  };
  window = undefined;
  return profile ? { ...result, profile } : result;
}

// ── sending ──────────────────────────────────────────────────────────────

interface SendArgs {
  phase: number;
  events: number;
  bytes: number;
  /** Hard bound on the sending time. */
  maxMs: number;
}

function emitter(phase: number, bytes: number): (seq: number) => void {
  const pad = padFor(bytes);
  return (seq) => contender!.emit({ p: phase, s: seq, t: now(), pad });
}

/** As fast as it can: `burst` events per turn of the event loop (setImmediate between bursts). */
async function flood(args: SendArgs & { burst: number }): Promise<{ sent: number; startAt: number; endAt: number }> {
  const emit = emitter(args.phase, args.bytes);
  const startAt = now();
  const deadline = performance.now() + args.maxMs;
  let seq = 0;
  while (seq < args.events && performance.now() < deadline) {
    for (let i = 0; i < args.burst && seq < args.events; i++) emit(seq++);
    await nextTurn();
  }
  return { sent: seq, startAt, endAt: now() };
}

/** At a fixed rate; events that fell due while the loop was busy go out together (at most `maxBurst` per turn). */
async function paced(args: SendArgs & { rate: number; maxBurst: number }): Promise<{ sent: number; startAt: number; endAt: number }> {
  const emit = emitter(args.phase, args.bytes);
  const interval = 1000 / args.rate;
  const started = performance.now();
  const startAt = now();
  const deadline = started + args.maxMs;
  let seq = 0;
  while (seq < args.events && performance.now() < deadline) {
    const due = Math.min(args.events, Math.floor((performance.now() - started) / interval) + 1);
    for (let n = 0; seq < due && n < args.maxBurst; n++) emit(seq++);
    if (seq >= args.events) break;
    const wait = started + seq * interval - performance.now();
    if (wait >= 1) await sleep(wait);
    else await nextTurn();
  }
  return { sent: seq, startAt, endAt: now() };
}

serve(
  {
    info: () => ({ kind, port, pid: process.pid }),
    subscribers: () => contender.subscribers(),
    mark: (args: { label?: string }) => mark(args.label),
    stop: () => stop(),
    flood: (args: SendArgs & { burst: number }) => flood(args),
    paced: (args: SendArgs & { rate: number; maxBurst: number }) => paced(args),
    errors: () => ({ errors, lastError }),
  },
  () => {
    server.closeAllConnections();
  },
);
