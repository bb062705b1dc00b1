/**
 * Fan-out across two instances on one Redis: N clients, half on instance A and half on B, one
 * public event triggered on A. Ours (RedisAdapter: every event gets its id from Redis, is kept in a
 * stream for recovery and reaches B over pub/sub) against Socket.IO 4.8 with
 * @socket.io/redis-adapter (pub/sub only, nothing kept). Each instance and each half of the clients
 * in a process of its own; a private redis-server per run.
 *
 * Run alone: `node --import tsx bench/run.ts --only cluster [--quick] [--rounds N]`
 */
import { Redis } from "ioredis";
import { startTestRedis, type TestRedis } from "../test/support/redis-server";
import { SERVER_LABELS, type ServerWindow } from "./net/common";
import { rotate, Session, type PhaseArgs, type SendResult, type WaitResult } from "./net/session";
import { cell, fmt, lostCell, med, printSection, ratio, type Section, type Table } from "./report";

type ClusterKind = "ours" | "socketio";

export interface ClusterOptions {
  rounds: number;
  clients: number;
  floodDeliveries: number;
  burst: number;
  payloadBytes: number;
  pacedRate: number;
  pacedSeconds: number;
}

interface ClusterPhase {
  sent: SendResult;
  /** What A's and B's clients received. */
  local: WaitResult;
  remote: WaitResult;
  windows: { a: ServerWindow; b: ServerWindow };
  redisCpuUs: number;
}

interface ClusterRun {
  kind: ClusterKind;
  round: number;
  flood?: ClusterPhase;
  paced?: ClusterPhase;
  error?: string;
}

export interface ClusterMetrics {
  deliveriesPerSecond: number;
  /** Latency at the triggering instance's clients and at the other's. */
  localP50: number;
  remoteP50: number;
  remoteP99: number;
  /** Both instances' CPU ÷ deliveries; Redis's separately. */
  serversCpuPerDelivery: number;
  redisCpuPerDelivery: number;
  /** Worst round over the rounds that finished; see failedRounds. */
  lost: number;
  /** Rounds without a result: their losses are unknown. */
  failedRounds: number;
}

export type ClusterSummary = Record<"flood" | "paced", Partial<Record<ClusterKind, ClusterMetrics>>>;

/** Redis's own CPU (user + system), µs, from INFO. */
async function redisCpuUs(redis: Redis): Promise<number> {
  const info = await redis.info("cpu");
  const read = (field: string) => Number(new RegExp(`${field}:([0-9.]+)`).exec(info)?.[1] ?? Number.NaN);
  return (read("used_cpu_user") + read("used_cpu_sys")) * 1e6;
}

class ClusterSession {
  private constructor(
    readonly redis: TestRedis,
    readonly probe: Redis,
    readonly a: Session,
    readonly b: Session,
  ) {}

  static async open(kind: ClusterKind): Promise<ClusterSession> {
    const redis = await startTestRedis();
    const probe = new Redis(redis.url);
    const sessions: Session[] = [];
    try {
      for (const instance of ["a", "b"]) sessions.push(await Session.open({ kind, env: { BENCH_REDIS_URL: redis.url, BENCH_INSTANCE: instance } }));
      return new ClusterSession(redis, probe, sessions[0]!, sessions[1]!);
    } catch (error) {
      await Promise.all(sessions.map((session) => session.close()));
      probe.disconnect();
      await redis.stop();
      throw error;
    }
  }

  async connect(clients: number): Promise<void> {
    const half = Math.floor(clients / 2);
    await Promise.all([this.a.connect(half, true), this.b.connect(clients - half, true)]);
  }

  /** One phase: both instances' windows open, A triggers, both halves of the clients wait for every event. */
  async phase(args: PhaseArgs): Promise<ClusterPhase> {
    await Promise.all([this.a.server.call("mark", { label: args.label }), this.b.server.call("mark", { label: args.label })]);
    const redisBefore = await redisCpuUs(this.probe);
    await Promise.all([this.a.client.call("arm", { phase: args.phase, events: args.events }), this.b.client.call("arm", { phase: args.phase, events: args.events })]);
    const sendArgs = { phase: args.phase, events: args.events, bytes: args.bytes, maxMs: args.maxMs, ...(args.mode === "flood" ? { burst: args.burst } : { rate: args.rate, maxBurst: args.burst }) };
    const sending = this.a.server.call<SendResult>(args.mode, sendArgs, args.maxMs + 15_000);
    sending.catch(() => {}); // awaited below
    const wait = { timeoutMs: args.maxMs + 10_000, idleMs: 5_000 };
    const [local, remote] = await Promise.all([this.a.client.call<WaitResult>("wait", wait, args.maxMs + 20_000), this.b.client.call<WaitResult>("wait", wait, args.maxMs + 20_000)]);
    const sent = await sending;
    const [a, b] = await Promise.all([this.a.server.call<ServerWindow>("stop"), this.b.server.call<ServerWindow>("stop")]);
    return { sent, local, remote, windows: { a, b }, redisCpuUs: (await redisCpuUs(this.probe)) - redisBefore };
  }

  async close(): Promise<void> {
    await Promise.all([this.a.close(), this.b.close()]);
    this.probe.disconnect();
    await this.redis.stop();
  }
}

async function runOnce(kind: ClusterKind, round: number, options: ClusterOptions): Promise<ClusterRun> {
  const run: ClusterRun = { kind, round };
  let session: ClusterSession | undefined;
  try {
    session = await ClusterSession.open(kind);
    await session.connect(options.clients);
    const floodEvents = Math.max(10, Math.round(options.floodDeliveries / options.clients));
    const common = { bytes: options.payloadBytes, burst: options.burst, maxMs: 120_000 };
    await session.phase({ phase: 1, mode: "flood", events: Math.max(10, Math.round(floodEvents / 5)), ...common });
    run.flood = await session.phase({ phase: 2, mode: "flood", events: floodEvents, ...common });
    run.paced = await session.phase({ phase: 3, mode: "paced", events: Math.round(options.pacedRate * options.pacedSeconds), rate: options.pacedRate, ...common });
  } catch (error) {
    run.error = error instanceof Error ? error.message : String(error);
  } finally {
    await session?.close();
  }
  return run;
}

function metrics(phase: ClusterPhase | undefined): ClusterMetrics | undefined {
  if (!phase) return undefined;
  const deliveries = phase.local.received + phase.remote.received;
  const doneAt = Math.max(phase.local.doneAt, phase.remote.doneAt);
  const perDelivery = (us: number) => (deliveries > 0 ? us / deliveries : Number.NaN);
  return {
    deliveriesPerSecond: (deliveries / Math.max(1e-3, doneAt - phase.sent.startAt)) * 1000,
    localP50: phase.local.latency.p50,
    remoteP50: phase.remote.latency.p50,
    remoteP99: phase.remote.latency.p99,
    serversCpuPerDelivery: perDelivery(phase.windows.a.cpuUs + phase.windows.b.cpuUs),
    redisCpuPerDelivery: perDelivery(phase.redisCpuUs),
    lost: phase.local.lost + phase.remote.lost,
    failedRounds: 0,
  };
}

const FAILED: ClusterMetrics = { deliveriesPerSecond: NaN, localP50: NaN, remoteP50: NaN, remoteP99: NaN, serversCpuPerDelivery: NaN, redisCpuPerDelivery: NaN, lost: NaN, failedRounds: 1 };
const KINDS: readonly ClusterKind[] = ["ours", "socketio"];

export async function runFanoutCluster(options: ClusterOptions): Promise<{ section: Section; summary: ClusterSummary; runs: ClusterRun[] }> {
  const runs: ClusterRun[] = [];
  for (let round = 0; round < options.rounds; round++) {
    for (const kind of rotate(KINDS, round)) {
      const started = performance.now();
      const run = await runOnce(kind, round, options);
      runs.push(run);
      const flood = metrics(run.flood);
      console.log(
        `  two instances N=${options.clients} round ${round + 1}/${options.rounds} ${SERVER_LABELS[kind]}: ` +
          (run.error || !flood
            ? `FAILED: ${(run.error ?? "no flood").split("\n")[0]}`
            : `flood ${fmt.rate(flood.deliveriesPerSecond)}, servers ${fmt.us(flood.serversCpuPerDelivery)} + Redis ${fmt.us(flood.redisCpuPerDelivery)}/delivery, remote p50 ${fmt.ms(flood.remoteP50)}, lost ${flood.lost}; paced remote p99 ${fmt.ms(metrics(run.paced)!.remoteP99)}, lost ${metrics(run.paced)!.lost}`) +
          ` (${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
    }
  }
  return { ...summarise(runs, options), runs };
}

function summarise(runs: ClusterRun[], options: ClusterOptions): { section: Section; summary: ClusterSummary } {
  const summary: ClusterSummary = { flood: {}, paced: {} };
  const tables: Table[] = [];
  for (const mode of ["flood", "paced"] as const) {
    const series = new Map(KINDS.map((kind) => [kind, runs.filter((run) => run.kind === kind).map((run) => metrics(run[mode]) ?? FAILED)]));
    const values = (kind: ClusterKind, key: keyof ClusterMetrics) => series.get(kind)!.map((m) => m[key]);
    for (const kind of KINDS) {
      summary[mode][kind] = {
        deliveriesPerSecond: med(values(kind, "deliveriesPerSecond")),
        localP50: med(values(kind, "localP50")),
        remoteP50: med(values(kind, "remoteP50")),
        remoteP99: med(values(kind, "remoteP99")),
        serversCpuPerDelivery: med(values(kind, "serversCpuPerDelivery")),
        redisCpuPerDelivery: med(values(kind, "redisCpuPerDelivery")),
        lost: Math.max(0, ...values(kind, "lost").filter(Number.isFinite)),
        failedRounds: values(kind, "lost").filter((lost) => !Number.isFinite(lost)).length,
      };
    }
    const floodEvents = Math.max(10, Math.round(options.floodDeliveries / options.clients));
    tables.push({
      caption:
        mode === "flood"
          ? `Two instances, ${options.clients} clients (half on each), flood: ${floodEvents} events of ~${options.payloadBytes} B triggered on A, ${options.burst} per turn (${options.rounds} rounds)`
          : `Two instances, ${options.clients} clients (half on each), paced: ${options.pacedRate} events/s for ${options.pacedSeconds} s triggered on A (${options.rounds} rounds)`,
      headers: ["contender", "deliveries/s", "p50 on A (local)", "p50 on B (remote)", "p99 on B", "CPU / delivery, A + B", "Redis CPU / delivery", "lost (worst round)"],
      rows: KINDS.map((kind) => [
        `${SERVER_LABELS[kind]}${kind === "ours" ? " + RedisAdapter" : " + @socket.io/redis-adapter"}`,
        cell(values(kind, "deliveriesPerSecond"), fmt.rate),
        cell(values(kind, "localP50"), fmt.ms),
        cell(values(kind, "remoteP50"), fmt.ms),
        cell(values(kind, "remoteP99"), fmt.ms),
        cell(values(kind, "serversCpuPerDelivery"), fmt.us),
        cell(values(kind, "redisCpuPerDelivery"), fmt.us),
        lostCell(summary[mode][kind]!),
      ]),
    });
    const ours = summary[mode].ours!;
    const peer = summary[mode].socketio!;
    tables.push({
      caption: `ratios, two instances ${mode}: ours vs Socket.IO (medians; a peer's value ÷ ours > 1 means ours is better)`,
      headers: ["deliveries/s ours ÷ peer", "remote p50 peer ÷ ours", "remote p99 peer ÷ ours", "CPU/delivery A + B, peer ÷ ours", "Redis CPU/delivery, peer ÷ ours"],
      rows: [[ratio(ours.deliveriesPerSecond, peer.deliveriesPerSecond), ratio(peer.remoteP50, ours.remoteP50), ratio(peer.remoteP99, ours.remoteP99), ratio(peer.serversCpuPerDelivery, ours.serversCpuPerDelivery), ratio(peer.redisCpuPerDelivery, ours.redisCpuPerDelivery)]],
    });
  }
  const notes: string[] = [];
  for (const run of runs) {
    if (run.error) notes.push(`round ${run.round + 1} ${SERVER_LABELS[run.kind]} failed: ${run.error.split("\n")[0]}`);
    for (const mode of ["flood", "paced"] as const) {
      const phase = run[mode];
      if (!phase) continue;
      for (const [where, received] of [["A", phase.local], ["B", phase.remote]] as const) {
        if (received.lost > 0 || received.outOfOrder > 0 || received.gaps > 0 || !received.complete) {
          notes.push(`${mode} round ${run.round + 1} ${SERVER_LABELS[run.kind]}, clients on ${where}: ${received.lost} lost over ${received.incomplete} clients, ${received.outOfOrder} out of order, ${received.gaps} gap frames`);
        }
      }
    }
  }
  const section: Section = {
    title: "1b. Fan-out across two instances (Redis)",
    about: [
      "Two server processes (A and B) on one private `redis-server`, half of the clients connected to each (one client process per instance, the same bare-`ws` clients as above), one public event triggered on A. Latency is measured from the trigger on A, separately for A's clients (local) and B's (through Redis).",
      "**Ours** = EventBus + EventsTransport + `RedisAdapter`: each event's id comes from Redis (one Lua script: sequence number, `XADD` to the event's capped stream for recovery, `PUBLISH`), A delivers once the id is back, B on the pub/sub message. **Socket.IO 4.8** + `@socket.io/redis-adapter` 8: `io.to(room).emit` publishes the packet; nothing is stored, so a client that reconnects cannot recover.",
      "CPU: the `process.cpuUsage()` deltas of both server processes over the window, ÷ deliveries; Redis's own CPU (`INFO cpu`) apart. One warm-up flood per session; a new Redis and new processes per round.",
    ].join("\n\n"),
    tables,
    notes,
  };
  printSection(section);
  return { section, summary };
}
