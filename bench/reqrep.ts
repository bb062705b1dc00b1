/**
 * Request/reply: one client connection with 1 and 100 requests in flight; round trips/s, p50/p99,
 * server CPU per round trip. Contenders, interleaved in rotating order over the rounds:
 * - ours, protocol v1 `request` to a query whose handler returns its data — by raw frames on a bare
 *   `ws` client, and by our EventManager.request twice: on a `ws` socket, as Node code runs it (the
 *   client corks the stream, 16 frames per write), and browser-like, on a socket that offers only
 *   the browser's WebSocket API (one write per frame, as a page can only do);
 * - raw ws echo with correlation ids (`{id, d}` parsed and answered);
 * - Socket.IO 4.8 acks — by raw Engine.IO/Socket.IO frames on a bare `ws` client, and by
 *   socket.io-client `emitWithAck` (transports: ["websocket"]; in Node one `ws.send`, so one write,
 *   per packet: it does not cork).
 *
 * Run alone: `node --import tsx bench/run.ts --only reqrep [--quick] [--rounds N]`
 */
import type { ServerKind, ServerWindow } from "./net/common";
import { rotate, Session, type Latency } from "./net/session";
import { cell, fmt, med, printSection, ratio, type Section, type Table } from "./report";

export type ReqRepContender = "ours-raw" | "ours-browser" | "ours-node" | "ws-raw" | "socketio-raw" | "socketio-library";

export const REQREP_LABELS: Record<ReqRepContender, string> = {
  "ours-raw": "ours, raw v1 frames",
  "ours-browser": "EventManager (browser-like: one write per frame)",
  "ours-node": "EventManager (Node, corked writes)",
  "ws-raw": "raw ws echo",
  "socketio-raw": "Socket.IO, raw frames (acks)",
  "socketio-library": "Socket.IO, socket.io-client emitWithAck",
};

/** Which server each contender talks to, and how: raw frames on a bare `ws`, or a client library on which socket. */
const CONTENDERS: Record<ReqRepContender, { server: ServerKind; via: "raw" | "library"; socket?: "node" | "browser" }> = {
  "ours-raw": { server: "ours", via: "raw" },
  "ours-browser": { server: "ours", via: "library", socket: "browser" },
  "ours-node": { server: "ours", via: "library", socket: "node" },
  "ws-raw": { server: "ws-naive", via: "raw" },
  "socketio-raw": { server: "socketio", via: "raw" },
  "socketio-library": { server: "socketio", via: "library" },
};

/** Ours, whose round trips/s every other row is divided by. */
const OURS: ReqRepContender[] = ["ours-raw", "ours-browser", "ours-node"];

export interface ReqRepOptions {
  rounds: number;
  inFlight: number[];
  durationMs: number;
  warmupMs: number;
  contenders: ReqRepContender[];
  /** CPU profiles of our server (raw frames, first round) go here: ours-reqrep-<n>.cpuprofile. */
  profileDir?: string;
}

interface RoundTrips {
  clientCpuUs: number;
  complete: boolean;
  count: number;
  failures: number;
  elapsedMs: number;
  perSecond: number;
  latency: Latency;
}

export interface ReqRepMetrics {
  perSecond: number;
  p50: number;
  p99: number;
  cpuPerRoundTrip: number;
  clientCpuPerRoundTrip: number;
}

interface ReqRepRun {
  contender: ReqRepContender;
  round: number;
  results: Record<number, ReqRepMetrics>;
  error?: string;
}

export type ReqRepSummary = Record<number, Partial<Record<ReqRepContender, ReqRepMetrics>>>;

async function reqrepOnce(contender: ReqRepContender, round: number, options: ReqRepOptions): Promise<ReqRepRun> {
  const run: ReqRepRun = { contender, round, results: {} };
  let session: Session | undefined;
  const { server, via, socket } = CONTENDERS[contender];
  try {
    const profile = options.profileDir !== undefined && contender === "ours-raw" && round === 0;
    session = await Session.open({ kind: server, ...(profile ? { profileDir: options.profileDir } : {}) });
    if (via === "raw") await session.connect(1, false);
    else await session.client.call("library", { timeoutMs: 10_000, ...(socket ? { socket } : {}) }, 15_000);
    const call = (inFlight: number, durationMs: number) =>
      session!.client.call<RoundTrips>("reqrep", { via, inFlight, durationMs, maxCount: 2_000_000 }, durationMs + 20_000);
    for (const inFlight of options.inFlight) await call(inFlight, options.warmupMs); // JIT warm-up of both shapes
    for (const inFlight of options.inFlight) {
      await session.server.call("mark", { label: `reqrep-${inFlight}` });
      const trips = await call(inFlight, options.durationMs);
      const window = await session.server.call<ServerWindow>("stop");
      if (!trips.complete || trips.failures > 0) throw new Error(`${inFlight} in flight: ${trips.failures} failures, complete=${trips.complete}`);
      run.results[inFlight] = {
        perSecond: trips.perSecond,
        p50: trips.latency.p50,
        p99: trips.latency.p99,
        cpuPerRoundTrip: window.cpuUs / Math.max(1, trips.count),
        clientCpuPerRoundTrip: trips.clientCpuUs / Math.max(1, trips.count),
      };
    }
  } catch (error) {
    run.error = error instanceof Error ? error.message : String(error);
  } finally {
    await session?.close();
  }
  return run;
}

export async function runReqRep(options: ReqRepOptions): Promise<{ section: Section; summary: ReqRepSummary }> {
  const runs: ReqRepRun[] = [];
  for (let round = 0; round < options.rounds; round++) {
    for (const contender of rotate(options.contenders, round)) {
      const run = await reqrepOnce(contender, round, options);
      runs.push(run);
      console.log(
        `  request/reply round ${round + 1}/${options.rounds} ${REQREP_LABELS[contender]}: ` +
          (run.error
            ? `FAILED: ${run.error.split("\n")[0]}`
            : options.inFlight.map((n) => `${n} in flight ${fmt.rate(run.results[n]!.perSecond)} p50 ${fmt.ms(run.results[n]!.p50)}, ${fmt.us(run.results[n]!.cpuPerRoundTrip)}/rt`).join("; ")),
      );
    }
  }
  const summary: ReqRepSummary = {};
  const tables: Table[] = [];
  for (const inFlight of options.inFlight) {
    summary[inFlight] = {};
    const values = (contender: ReqRepContender, key: keyof ReqRepMetrics) =>
      runs.filter((run) => run.contender === contender).map((run) => run.results[inFlight]?.[key] ?? Number.NaN);
    for (const contender of options.contenders) {
      summary[inFlight][contender] = {
        perSecond: med(values(contender, "perSecond")),
        p50: med(values(contender, "p50")),
        p99: med(values(contender, "p99")),
        cpuPerRoundTrip: med(values(contender, "cpuPerRoundTrip")),
        clientCpuPerRoundTrip: med(values(contender, "clientCpuPerRoundTrip")),
      };
    }
    const row = summary[inFlight];
    const versus = (ours: ReqRepContender, contender: ReqRepContender) =>
      OURS.includes(contender) || !row[ours] ? "" : ratio(row[ours].perSecond, row[contender]!.perSecond);
    tables.push({
      caption: `Request/reply, ${inFlight} in flight on one connection, ${options.durationMs / 1000} s per round (${options.rounds} rounds)`,
      headers: ["contender", "round trips/s", "p50", "p99", "server CPU / round trip", "client CPU / round trip", "ours (raw) ÷ this", "EventManager browser-like ÷ this", "EventManager Node ÷ this"],
      rows: options.contenders.map((contender) => [
        REQREP_LABELS[contender],
        cell(values(contender, "perSecond"), fmt.rate),
        cell(values(contender, "p50"), fmt.ms),
        cell(values(contender, "p99"), fmt.ms),
        cell(values(contender, "cpuPerRoundTrip"), fmt.us),
        cell(values(contender, "clientCpuPerRoundTrip"), fmt.us),
        versus("ours-raw", contender),
        versus("ours-browser", contender),
        versus("ours-node", contender),
      ]),
    });
  }
  const notes = runs.filter((run) => run.error).map((run) => `round ${run.round + 1} ${REQREP_LABELS[run.contender]} failed: ${run.error!.split("\n")[0]}`);
  const section: Section = {
    title: "2. Request/reply",
    about: [
      "One client connection keeps 1 or 100 requests in flight (each finished request starts the next) for a fixed time; a warm-up of each shape precedes the measurements in every server and client process.",
      "The request carries `{ n: 42, text: \"0123456789abcdef\" }` and the reply returns it. Server CPU = `process.cpuUsage()` delta of the server over the measurement ÷ round trips; client CPU likewise in the client process. With one connection and two cores, round trips/s is bounded by whichever side spends more CPU per round trip.",
      "Ours: a `request` op to a public singleton query whose handler returns its data (the connection's rate limit raised from the browser default of 100 ops/s to the maximum, 1,000,000). Measured three ways: by raw protocol-v1 frames on a bare `ws` client (the same client cost as the raw ws echo), and by our `EventManager.request` on two kinds of socket.",
      "**EventManager (Node, corked writes)**: the client on a `ws` WebSocket, as Node code uses it. There the client corks the TCP stream under the socket while a turn sends and lets the frames out 16 per write (`sendFrame` in `lib/events/client/socket.ts`), which saves most of the system calls. **EventManager (browser-like: one write per frame)**: the same client on a socket that offers only the browser's WebSocket API (`bench/net/browser-socket.ts`: a `ws` socket in a private field behind `readyState`, `send`, `close` and the `on…` handlers). The client finds no stream to cork and calls `send` per frame, and `ws` writes each frame as it is sent: one write per frame. A page's WebSocket cannot be corked, so this row is the one that stands for the browser, and the request/reply target is judged on it.",
      "Socket.IO: `socket.on(\"echo\", (data, ack) => ack(data))`, measured by raw frames (`42<id>[\"echo\",…]` → `43<id>[…]`) and by socket.io-client's `emitWithAck`. In Node, socket.io-client does not cork: engine.io-client's Node WebSocket transport (`build/cjs/transports/websocket.node.js`) calls `ws.send` once per packet (packets queued while the transport waits for its next-tick \"drain\" go out in one loop, still one `send` each), and `ws` writes each frame as it is sent. So it writes as the browser-like row does, and the two compare like for like.",
      "Raw ws echo: the server parses `{id, d}` and sends `{id, d}` back.",
    ].join("\n\n"),
    tables,
    notes,
  };
  printSection(section);
  return { section, summary };
}
