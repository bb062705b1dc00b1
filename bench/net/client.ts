/**
 * The benchmark's clients, in their own process (forked by the parent; BENCH_KIND and BENCH_PORT
 * name the server). For fan-out and slow consumers every contender is received by the same kind
 * of client, a bare `ws` WebSocket (compression off) speaking the server's wire protocol by hand,
 * so that the client-side cost is the same for all: one JSON.parse per frame.
 * - ours: protocol v1 (`subscribe`, `event`, `request`, `ping` ops) with subprotocol wf-events.v1;
 * - ws-naive / ws-corked: "sub" → "ready", then JSON events; echo `{id, d}`; ws ping/pong;
 * - socketio: Engine.IO v4 / Socket.IO v5 frames (`40`, `42["tick",…]`, acks `42<id>[…]` →
 *   `43<id>[…]`, answers the server's `2` with `3`), websocket transport only.
 * Request/reply additionally runs the real client libraries: our EventManager (`request`) and
 * socket.io-client (`emitWithAck`, transports: ["websocket"]). EventManager runs on a `ws` socket
 * as Node code would (the client then corks its writes), or browser-like: on a socket that offers
 * only the browser's WebSocket API, one write per frame (net/browser-socket.ts).
 */
import { io as socketIoClient, type Socket as SocketIoSocket } from "socket.io-client";
import { WebSocket } from "ws";
import { EventManager } from "../../lib/events/client";
import { EVENTS_PATH, SUBPROTOCOL } from "../../lib/events/protocol";
import { browserLikeSocket } from "./browser-socket";
import { ECHO, EVENT, now, PATTERN, sleep, speaksOurs, summarise, type ServerKind, type TickPayload } from "./common";
import { serve } from "./rpc";

const kind = process.env.BENCH_KIND as ServerKind;
const port = Number(process.env.BENCH_PORT);
const host = `127.0.0.1:${port}`;

type Settle = (value: unknown) => void;

/** One raw connection: subscribes (when asked), counts ticks, answers requests and pings. */
class Conn {
  readonly index: number;
  readonly ws: WebSocket;
  readonly ready: Promise<void>;
  #markReady!: () => void;
  #pending = new Map<number, Settle>();
  #pongs: Settle[] = [];
  #nextRef = 1;

  constructor(index: number, subscribe: boolean) {
    this.index = index;
    const url = speaksOurs(kind) ? `ws://${host}${EVENTS_PATH}` : kind === "socketio" ? `ws://${host}/socket.io/?EIO=4&transport=websocket` : `ws://${host}/`;
    this.ws = new WebSocket(url, speaksOurs(kind) ? [SUBPROTOCOL] : [], { perMessageDeflate: false });
    this.ready = new Promise<void>((resolve) => (this.#markReady = resolve));
    this.ws.on("error", (error) => noteError(error));
    this.ws.on("close", () => closed++);
    this.ws.on("pong", () => this.#pongs.shift()?.(undefined));
    if (speaksOurs(kind)) this.#speakOurs(subscribe);
    else if (kind === "socketio") this.#speakSocketIo(subscribe);
    else this.#speakWs(subscribe);
  }

  #speakOurs(subscribe: boolean): void {
    this.ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as { type: string; ref?: number; data?: unknown; event?: string };
      switch (frame.type) {
        case "event":
          return onTick(this.index, frame.data as TickPayload);
        case "ok":
        case "error":
          if (frame.ref === 0) return this.#markReady();
          return this.#settle(frame.ref!, frame.type === "ok" ? frame.data : new Error(String((frame as { message?: string }).message)));
        case "welcome":
          if (subscribe) this.ws.send(JSON.stringify({ type: "subscribe", ref: 0, event: kind === "ours-pattern" ? PATTERN : EVENT }));
          else this.#markReady();
          return;
        case "gap":
          gaps++;
          return;
      }
    });
  }

  #speakWs(subscribe: boolean): void {
    this.ws.on("open", () => (subscribe ? this.ws.send("sub") : this.#markReady()));
    this.ws.on("message", (data) => {
      const text = String(data);
      if (text === "ready") return this.#markReady();
      const message = JSON.parse(text) as TickPayload | { id: number; d: unknown };
      if ("id" in message) this.#settle(message.id, message.d);
      else onTick(this.index, message);
    });
  }

  #speakSocketIo(subscribe: boolean): void {
    this.ws.on("message", (data) => {
      const text = String(data);
      if (text.startsWith("42")) {
        const [, payload] = JSON.parse(text.slice(2)) as [string, TickPayload];
        return onTick(this.index, payload);
      }
      if (text.startsWith("43")) {
        const bracket = text.indexOf("[");
        const id = Number(text.slice(2, bracket));
        if (id === 0) return this.#markReady();
        return this.#settle(id, (JSON.parse(text.slice(bracket)) as unknown[])[0]);
      }
      if (text === "2") return this.ws.send("3"); // Engine.IO ping → pong
      if (text.startsWith("40")) return subscribe ? this.ws.send('420["sub"]') : this.#markReady();
      if (text.startsWith("0")) return this.ws.send("40"); // Engine.IO open → Socket.IO connect
    });
  }

  #settle(ref: number, value: unknown): void {
    const settle = this.#pending.get(ref);
    this.#pending.delete(ref);
    settle?.(value);
  }

  /** One round trip of an echo/request carrying `data`. */
  request(data: unknown): Promise<unknown> {
    const ref = this.#nextRef++;
    const promise = new Promise<unknown>((resolve) => this.#pending.set(ref, resolve));
    if (speaksOurs(kind)) this.ws.send(JSON.stringify({ type: "request", ref, query: ECHO, data }));
    else if (kind === "socketio") this.ws.send(`42${ref}${JSON.stringify(["echo", data])}`);
    else this.ws.send(JSON.stringify({ id: ref, d: data }));
    return promise;
  }

  /** A liveness round trip: protocol `ping` op (ours), ws ping/pong (raw ws), an acked emit (Socket.IO). */
  ping(): Promise<unknown> {
    if (kind === "ws-naive" || kind === "ws-corked") {
      const promise = new Promise<unknown>((resolve) => this.#pongs.push(resolve));
      this.ws.ping();
      return promise;
    }
    const ref = this.#nextRef++;
    const promise = new Promise<unknown>((resolve) => this.#pending.set(ref, resolve));
    if (speaksOurs(kind)) this.ws.send(JSON.stringify({ type: "ping", ref }));
    else this.ws.send(`42${ref}["bping"]`);
    return promise;
  }

  /** Stops reading: the kernel buffers fill, then the server's. */
  pause(): void {
    (this.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  }
}

// ── ticks ────────────────────────────────────────────────────────────────

let errors = 0;
let lastError = "";
let closed = 0;
let gaps = 0;
function noteError(error: unknown): void {
  errors++;
  lastError = error instanceof Error ? error.message : String(error);
}

const conns: Conn[] = [];
let phase = -1;
let expectEvents = 0;
let counts = new Int32Array(0);
let nextSeq = new Int32Array(0);
let expected = new Uint8Array(0);
let expectedClients = 0;
let doneClients = 0;
let latencies = new Float64Array(0);
let latencyCount = 0;
let outOfOrder = 0;
let stray = 0;
let firstAt = 0;
let doneAt = 0;
let lastProgressAt = 0;
let armedCpu: NodeJS.CpuUsage | undefined;
let onDone: (() => void) | undefined;

function onTick(index: number, tick: TickPayload): void {
  if (tick.p !== phase) {
    stray++;
    return;
  }
  const at = now();
  lastProgressAt = at;
  if (firstAt === 0) firstAt = at;
  if (tick.s !== nextSeq[index]) outOfOrder++;
  nextSeq[index] = tick.s + 1;
  const count = ++counts[index]!;
  if (latencyCount < latencies.length) latencies[latencyCount++] = at - tick.t;
  if (count === expectEvents && expected[index]) {
    if (++doneClients === expectedClients) {
      doneAt = at;
      onDone?.();
    }
  }
}

interface ArmArgs {
  phase: number;
  events: number;
  /** Connections that must receive every event: [from, to). Default: all. */
  from?: number;
  to?: number;
}

function arm(args: ArmArgs): void {
  phase = args.phase;
  expectEvents = args.events;
  counts = new Int32Array(conns.length);
  nextSeq = new Int32Array(conns.length);
  expected = new Uint8Array(conns.length);
  const from = args.from ?? 0;
  const to = args.to ?? conns.length;
  for (let i = from; i < to; i++) expected[i] = 1;
  expectedClients = to - from;
  doneClients = 0;
  latencies = new Float64Array(Math.min(4_000_000, args.events * conns.length));
  latencyCount = 0;
  outOfOrder = 0;
  stray = 0;
  gaps = 0;
  firstAt = 0;
  doneAt = 0;
  lastProgressAt = now();
  armedCpu = process.cpuUsage();
}

/** Until every expected connection has every event, or nothing arrived for `idleMs`, or `timeoutMs`. */
async function wait(args: { timeoutMs: number; idleMs: number }) {
  const deadline = now() + args.timeoutMs;
  if (doneClients < expectedClients) {
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        const at = now();
        if (at > deadline || at - lastProgressAt > args.idleMs) finish();
      }, 50);
      const finish = () => {
        clearInterval(check);
        onDone = undefined;
        resolve();
      };
      onDone = finish;
    });
  }
  let received = 0;
  let lost = 0;
  let incomplete = 0;
  for (let i = 0; i < conns.length; i++) {
    if (!expected[i]) continue;
    received += Math.min(counts[i]!, expectEvents);
    const missing = Math.max(0, expectEvents - counts[i]!);
    lost += missing;
    if (missing > 0) incomplete++;
  }
  const complete = doneClients === expectedClients;
  const latency = summarise(latencies.subarray(0, latencyCount));
  const cpu = process.cpuUsage(armedCpu);
  return { clientCpuUs: cpu.user + cpu.system, complete, firstAt, doneAt: complete ? doneAt : lastProgressAt, received, expected: expectEvents * expectedClients, lost, incomplete, latency, outOfOrder, stray, gaps, errors, closed };
}

// ── commands ─────────────────────────────────────────────────────────────

async function connect(args: { count: number; subscribe: boolean; timeoutMs: number }): Promise<number> {
  const deadline = Date.now() + args.timeoutMs;
  const batch = 50;
  for (let start = conns.length, end = conns.length + args.count; start < end; start += batch) {
    const opened: Conn[] = [];
    for (let i = start; i < Math.min(end, start + batch); i++) opened.push(new Conn(i, args.subscribe));
    conns.push(...opened);
    const left = deadline - Date.now();
    const ok = await Promise.race([Promise.all(opened.map((conn) => conn.ready)).then(() => true), sleep(Math.max(0, left)).then(() => false)]);
    if (!ok) throw new Error(`connecting ${args.count} clients took more than ${args.timeoutMs} ms (${conns.length} opened; errors ${errors}: ${lastError})`);
  }
  return conns.length;
}

/** Round trips with `inFlight` outstanding at all times, for `durationMs` or `maxCount`, whichever first. */
async function roundTrips(call: () => Promise<unknown>, inFlight: number, durationMs: number, maxCount: number) {
  const samples = new Float64Array(maxCount);
  let done = 0;
  let started = 0;
  let failures = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + durationMs;
  const worker = async () => {
    while (started < maxCount && performance.now() < end) {
      started++;
      const s = performance.now();
      try {
        await call();
        samples[done++] = performance.now() - s;
      } catch (error) {
        noteError(error);
        if (++failures > 100) return;
      }
    }
  };
  const finished = await Promise.race([Promise.all(Array.from({ length: inFlight }, worker)).then(() => true), sleep(durationMs + 10_000).then(() => false)]);
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { clientCpuUs: cpu.user + cpu.system, complete: finished, count: done, failures, elapsedMs, perSecond: (done / elapsedMs) * 1000, latency: summarise(samples.subarray(0, done)) };
}

const REQUEST_DATA = { n: 42, text: "0123456789abcdef" };

/** The client libraries, one connection each: our EventManager, socket.io-client. */
let manager: EventManager | undefined;
let ioSocket: SocketIoSocket | undefined;

interface LibraryArgs {
  timeoutMs: number;
  /** Ours only. "node": a `ws` WebSocket (corked writes); "browser": the browser's API only (one write per frame). */
  socket?: "node" | "browser";
}

async function library(args: LibraryArgs): Promise<void> {
  if (speaksOurs(kind)) {
    const url = `ws://${host}${EVENTS_PATH}`;
    const opener = args.socket === "browser" ? { createSocket: browserLikeSocket } : { WebSocket: WebSocket as never };
    manager = new EventManager({ url, ...opener, requestTimeout: 10_000 });
    await Promise.race([manager.request(ECHO, REQUEST_DATA), sleep(args.timeoutMs).then(() => Promise.reject(new Error("EventManager did not answer")))]);
  } else if (kind === "socketio") {
    const socket = socketIoClient(`http://${host}`, { transports: ["websocket"], reconnection: false, forceNew: true });
    ioSocket = socket;
    await Promise.race([new Promise<void>((resolve) => socket.once("connect", () => resolve())), sleep(args.timeoutMs).then(() => Promise.reject(new Error("socket.io-client did not connect")))]);
  } else {
    throw new Error(`no client library for ${kind}`);
  }
}

interface ReqRepArgs {
  /** "raw": the bare ws client speaking the protocol; "library": EventManager / socket.io-client. */
  via: "raw" | "library";
  inFlight: number;
  durationMs: number;
  maxCount: number;
}

async function reqrep(args: ReqRepArgs) {
  let call: () => Promise<unknown>;
  if (args.via === "raw") {
    const conn = conns[0]!;
    call = () => conn.request(REQUEST_DATA);
  } else if (manager) {
    const events = manager;
    call = () => events.request(ECHO, REQUEST_DATA);
  } else if (ioSocket) {
    const socket = ioSocket;
    call = () => socket.emitWithAck("echo", REQUEST_DATA);
  } else {
    throw new Error("reqrep via library without a library connection");
  }
  return roundTrips(call, args.inFlight, args.durationMs, args.maxCount);
}

let pinger: { timer: NodeJS.Timeout; samples: number[]; outstanding: boolean; skipped: number } | undefined;

function pingStart(args: { index: number; intervalMs: number; maxMs: number }): void {
  const conn = conns[args.index]!;
  const state = { samples: [] as number[], outstanding: false, skipped: 0, timer: undefined as unknown as NodeJS.Timeout };
  const stopAt = performance.now() + args.maxMs;
  state.timer = setInterval(() => {
    if (performance.now() > stopAt) return clearInterval(state.timer);
    if (state.outstanding) {
      state.skipped++;
      return;
    }
    state.outstanding = true;
    const s = performance.now();
    void conn.ping().then(() => {
      state.samples.push(performance.now() - s);
      state.outstanding = false;
    });
  }, args.intervalMs);
  pinger = state;
}

function pingStop() {
  if (!pinger) throw new Error("pingStop without pingStart");
  clearInterval(pinger.timer);
  const result = { ...summarise(pinger.samples), skipped: pinger.skipped, unanswered: pinger.outstanding ? 1 : 0 };
  pinger = undefined;
  return result;
}

serve(
  {
    connect: (args: { count: number; subscribe: boolean; timeoutMs: number }) => connect(args),
    library: (args: LibraryArgs) => library(args),
    arm: (args: ArmArgs) => arm(args),
    wait: (args: { timeoutMs: number; idleMs: number }) => wait(args),
    pause: (args: { from: number; to: number }) => {
      for (let i = args.from; i < args.to; i++) conns[i]!.pause();
    },
    reqrep: (args: ReqRepArgs) => reqrep(args),
    pingStart: (args: { index: number; intervalMs: number; maxMs: number }) => pingStart(args),
    pingStop: () => pingStop(),
    errors: () => ({ errors, lastError, closed }),
  },
  () => {
    for (const conn of conns) conn.ws.terminate();
    manager?.close();
    ioSocket?.close();
  },
);
