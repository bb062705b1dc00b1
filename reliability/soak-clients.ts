/**
 * The soak's clients, in their own process (forked by reliability/soak.ts):
 * - `clients` slots, each holding one connection at a time that lives a random few seconds to tens
 *   of seconds and is then replaced (churn); every one subscribes to the wide event, the first
 *   `streamClients` slots to the fast stream too; a share of the sessions are slow (they stop
 *   reading for seconds at a time);
 * - `requests` requests kept in flight on two connections;
 * - one fuzzer connection sending random and malformed frames, reconnecting whenever it is closed.
 * Every session ends by settling its ledgers (see wire-client.ts), so that what a client was owed
 * and what it got can be compared exactly. With several servers (a cluster on Redis), slot i
 * connects to server i mod n, the two request connections to the first two, and the fuzzer moves
 * to the next server on every reconnect.
 */
import { WebSocket } from "ws";
import { EVENTS_PATH, SUBPROTOCOL } from "../lib/events/protocol";
import { createMonitorToken } from "../lib/events/server/monitor-token";
import { serve } from "./child";
import { fuzzFrames, type FuzzFrame } from "./fuzz-frames";
import { WireClient, type Ledger } from "./wire-client";

export interface ClientsConfig {
  /** The servers' WebSocket base URLs: one, or the instances of a cluster. */
  urls: string[];
  /** Events of one name may arrive slightly out of id order (a cluster): see wire-client.ts. */
  reorderable?: boolean;
  clients: number;
  streamClients: number;
  wideEvent: string;
  streamEvent: string;
  slowShare: number;
  lifetimeMs: [number, number];
  readingMs: [number, number];
  pauseMs: [number, number];
  rampMs: number;
  requests: number;
  query: string;
  /** When set, the request connections become monitor sessions first (to ask an internal query). */
  monitorSecret?: string;
  requestTimeoutMs: number;
  fuzzPerSecond: number;
  fuzzSeed: number;
}

/** Totals over the sessions of one kind (reading or slow) for one event. */
export interface LedgerTotals {
  sessions: number;
  owed: number;
  received: number;
  holes: number;
  gaps: number;
  gapMissed: number;
  gapUnknown: number;
  duplicates: number;
  foreign: number;
  /** Holes no gap announced before them (see Ledger.unannounced). */
  silent: number;
  /** Gap counts beyond the hole that followed them (over-reporting, harmless but noted). */
  overReported: number;
  /** Sessions with gaps. */
  sessionsWithGaps: number;
  /** Events that arrived after a later one and filled its hole (a cluster only). */
  reordered: number;
  /** How many ids behind the newest such a late event was, at most. */
  reorderedBy: number;
  /** Events from before the session's start that arrived after its subscribe's ok (a cluster only; not owed). */
  beforeStart: number;
}

export interface ClientsReport {
  connections: number;
  connectFailures: Record<string, number>;
  unexpectedCloses: Record<string, number>;
  settleUnanswered: number;
  untrackedFrames: number;
  refusals: Record<string, number>;
  ledgers: Record<string, { reading: LedgerTotals; slow: LedgerTotals }>;
  pauses: number;
  pausedMs: number;
  /** The sessions with silent losses, for diagnosis (at most 10). */
  silentSessions: { event: string; slow: boolean; ledger: Ledger }[];
  requests: { sent: number; ok: number; failed: Record<string, number>; latenciesMs: number[]; reconnects: number; traces: number };
  fuzz: { frames: number; byLabel: Record<string, number>; replies: Record<string, number>; closes: Record<string, number>; connections: number };
  live: number;
}

let config: ClientsConfig;
let running = false;
const tasks: Promise<void>[] = [];
const live = new Set<WireClient>();
const report: ClientsReport = {
  connections: 0,
  connectFailures: {},
  unexpectedCloses: {},
  settleUnanswered: 0,
  untrackedFrames: 0,
  refusals: {},
  ledgers: {},
  pauses: 0,
  pausedMs: 0,
  silentSessions: [],
  requests: { sent: 0, ok: 0, failed: {}, latenciesMs: [], reconnects: 0, traces: 0 },
  fuzz: { frames: 0, byLabel: {}, replies: {}, closes: {}, connections: 0 },
  live: 0,
};

const count = (counts: Record<string, number>, key: string, by = 1) => void (counts[key] = (counts[key] ?? 0) + by);
const between = ([low, high]: [number, number]) => low + Math.random() * (high - low);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sleeps `ms`, or less when the run stops. */
async function nap(ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (running && Date.now() < until) await sleep(Math.min(250, until - Date.now()));
}

function emptyTotals(): LedgerTotals {
  return { sessions: 0, owed: 0, received: 0, holes: 0, gaps: 0, gapMissed: 0, gapUnknown: 0, duplicates: 0, foreign: 0, silent: 0, overReported: 0, sessionsWithGaps: 0, reordered: 0, reorderedBy: 0, beforeStart: 0 };
}

function record(ledger: Ledger, slow: boolean): void {
  const byEvent = (report.ledgers[ledger.name] ??= { reading: emptyTotals(), slow: emptyTotals() });
  const totals = slow ? byEvent.slow : byEvent.reading;
  totals.sessions++;
  totals.owed += Math.max(0, ledger.until - ledger.from);
  totals.received += ledger.received;
  totals.holes += ledger.holes;
  totals.gaps += ledger.gaps;
  totals.gapMissed += ledger.gapMissed;
  totals.gapUnknown += ledger.gapUnknown;
  totals.duplicates += ledger.duplicates;
  totals.foreign += ledger.foreign;
  totals.reordered += ledger.reordered;
  totals.reorderedBy = Math.max(totals.reorderedBy, ledger.reorderedBy);
  totals.beforeStart += ledger.beforeStart;
  if (ledger.gaps > 0) totals.sessionsWithGaps++;
  const silent = ledger.unannounced;
  totals.silent += silent;
  totals.overReported += Number.isFinite(ledger.overAnnounced) ? ledger.overAnnounced : 0;
  if (silent > 0 && report.silentSessions.length < 10) report.silentSessions.push({ event: ledger.name, slow, ledger: { ...ledger } });
}

// ── churning clients ───────────────────────────────────────────────────────

async function slot(index: number): Promise<void> {
  await nap((config.rampMs * index) / config.clients);
  while (running) {
    const slow = Math.random() < config.slowShare;
    const events = index < config.streamClients ? [config.wideEvent, config.streamEvent] : [config.wideEvent];
    await session(config.urls[index % config.urls.length]!, events, slow, between(config.lifetimeMs));
  }
}

async function session(url: string, events: string[], slow: boolean, lifetimeMs: number): Promise<void> {
  const client = new WireClient(url, { reorderable: config.reorderable === true });
  try {
    await Promise.race([client.opened, sleep(15_000).then(() => Promise.reject(new Error("no welcome within 15 s")))]);
  } catch (error) {
    count(report.connectFailures, error instanceof Error ? error.message : String(error));
    client.close();
    await nap(500);
    return;
  }
  report.connections++;
  live.add(client);
  let closedEarly = false;
  void client.closed.then(({ code }) => {
    live.delete(client);
    if (closedEarly) count(report.unexpectedCloses, String(code));
  });
  closedEarly = true;
  for (const event of events) {
    const reply = await client.subscribe(event);
    if (reply.type !== "ok") count(report.connectFailures, `subscribe ${event}: ${String(reply.code)}`);
  }
  // Live a while; a slow session alternates reading and not reading.
  const ends = Date.now() + lifetimeMs;
  while (running && client.open && Date.now() < ends) {
    if (!slow) {
      await nap(ends - Date.now());
      break;
    }
    await nap(Math.min(between(config.readingMs), ends - Date.now()));
    if (!running || !client.open || Date.now() >= ends) break;
    const pause = Math.min(between(config.pauseMs), Math.max(0, ends - Date.now()) + 1_000);
    client.pause();
    report.pauses++;
    report.pausedMs += pause;
    await sleep(pause);
    client.resume();
  }
  if (client.open) {
    closedEarly = false;
    if (!(await client.settle(15_000))) report.settleUnanswered++;
  } else {
    // Closed under it: it was owed what it was sent up to then (the close is counted apart).
    for (const ledger of client.ledgers.values()) ledger.until = Math.min(ledger.until, ledger.next - 1);
  }
  for (const ledger of client.ledgers.values()) record(ledger, slow);
  report.untrackedFrames += client.untracked;
  for (const [code, n] of Object.entries(client.refusals)) count(report.refusals, code, n);
  closedEarly = false;
  client.close();
}

// ── requests in flight ─────────────────────────────────────────────────────

async function requester(url: string, perConnection: number): Promise<void> {
  while (running) {
    // A monitor session also receives a trace of every trigger: counted, not kept.
    const client = new WireClient(url, { onOtherFrame: (frame) => void (frame.type === "trace" && report.requests.traces++) });
    try {
      await Promise.race([client.opened, sleep(15_000).then(() => Promise.reject(new Error("no welcome")))]);
      if (config.monitorSecret) {
        const reply = await client.op({ type: "monitor", token: createMonitorToken(config.monitorSecret) });
        if (reply.type !== "ok") throw new Error(`monitor: ${String(reply.code)}`);
      }
    } catch {
      report.requests.reconnects++;
      client.close();
      await nap(500);
      continue;
    }
    live.add(client);
    await Promise.all(
      Array.from({ length: perConnection }, async () => {
        while (running && client.open) {
          const started = performance.now();
          report.requests.sent++;
          const reply = await client.op({ type: "request", query: config.query, timeout: config.requestTimeoutMs }, config.requestTimeoutMs + 2_000);
          if (reply.type === "ok") {
            report.requests.ok++;
            if (report.requests.latenciesMs.length < 200_000) report.requests.latenciesMs.push(performance.now() - started);
          } else {
            count(report.requests.failed, String(reply.code));
          }
          await nap(Math.random() * 100);
        }
      }),
    );
    live.delete(client);
    client.close();
    if (running) report.requests.reconnects++;
  }
}

// ── the fuzzer ─────────────────────────────────────────────────────────────

async function fuzzer(): Promise<void> {
  const frames: FuzzFrame[] = fuzzFrames(5_000, config.fuzzSeed);
  let next = 0;
  let attempt = 0;
  while (running) {
    const url = config.urls[attempt++ % config.urls.length]!;
    const ws = new WebSocket(`${url}${EVENTS_PATH}`, [SUBPROTOCOL], { perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
    const closed = new Promise<void>((resolve) => {
      ws.on("close", (code) => {
        count(report.fuzz.closes, String(code));
        resolve();
      });
    });
    ws.on("error", () => {});
    ws.on("message", (data: Buffer) => {
      try {
        const frame = JSON.parse(data.toString()) as { type: string; code?: string };
        count(report.fuzz.replies, frame.type === "error" ? `error ${String(frame.code)}` : frame.type);
      } catch {
        count(report.fuzz.replies, "unreadable");
      }
    });
    const opened = await Promise.race([new Promise<boolean>((resolve) => ws.once("open", () => resolve(true))), closed.then(() => false), sleep(15_000).then(() => false)]);
    if (!opened) {
      ws.terminate();
      await nap(500);
      continue;
    }
    report.fuzz.connections++;
    while (running && ws.readyState === WebSocket.OPEN) {
      const frame = frames[next++ % frames.length]!;
      count(report.fuzz.byLabel, frame.label);
      report.fuzz.frames++;
      if (frame.kind === "text") ws.send(frame.text);
      else ws.send(frame.bytes, { binary: frame.binary });
      await nap(1_000 / config.fuzzPerSecond);
    }
    if (ws.readyState !== WebSocket.CLOSED) {
      ws.close(1000);
      await Promise.race([closed, sleep(2_000)]);
      ws.terminate();
    }
    await nap(100);
  }
}

serve({
  start(args: ClientsConfig) {
    config = args;
    running = true;
    for (let index = 0; index < config.clients; index++) tasks.push(slot(index));
    const connections = 2;
    for (let index = 0; index < connections; index++) tasks.push(requester(config.urls[index % config.urls.length]!, Math.ceil(config.requests / connections)));
    if (config.fuzzPerSecond > 0) tasks.push(fuzzer());
    return { started: config.clients };
  },
  progress() {
    return { ...report, live: live.size, requests: { ...report.requests, latenciesMs: [] } };
  },
  async stop() {
    running = false;
    // Every session settles (bounded by its own timeouts) before the report is final.
    await Promise.race([Promise.all(tasks), sleep(60_000)]);
    for (const client of live) client.close();
    return { ...report, live: live.size };
  },
});
