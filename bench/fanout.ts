/**
 * Fan-out: N clients subscribed to one public event of ~100 B, a flood and a paced run, every
 * contender side by side, rounds interleaved in rotating order. Server and clients in separate
 * processes on 127.0.0.1, compression off.
 *
 * Run alone: `node --import tsx bench/run.ts --only fanout [--quick] [--rounds N]`
 */
import { SERVER_LABELS, type ServerKind } from "./net/common";
import { rotate, Session, type PhaseResult } from "./net/session";
import { cell, fmt, lostCell, med, printSection, ratio, type Section, type Table } from "./report";

export interface FanoutOptions {
  rounds: number;
  sizes: number[];
  /** Deliveries per measured flood (events = deliveries / N). */
  floodDeliveries: number;
  burst: number;
  payloadBytes: number;
  /** Paced events per second for N clients. */
  pacedRate: (clients: number) => number;
  pacedSeconds: number;
  contenders: ServerKind[];
  /** CPU profiles of our server's measured windows (warm-up, flood, paced) in its first round at the largest N go here. */
  profileDir?: string;
}

export interface FanoutRun {
  kind: ServerKind;
  clients: number;
  round: number;
  flood?: PhaseResult;
  paced?: PhaseResult;
  error?: string;
}

export interface FanoutMetrics {
  deliveriesPerSecond: number;
  p50: number;
  p99: number;
  cpuPerDelivery: number;
  peakRss: number;
  /** Worst round over the rounds that finished; see failedRounds. */
  lost: number;
  /** Rounds without a result (an error): their losses are unknown, so zero loss cannot be claimed. */
  failedRounds: number;
  clientCpuPerDelivery: number;
}

export type FanoutSummary = Record<number, Record<"flood" | "paced", Partial<Record<ServerKind, FanoutMetrics>>>>;

async function fanoutOnce(kind: ServerKind, clients: number, round: number, options: FanoutOptions, profile: boolean): Promise<FanoutRun> {
  const run: FanoutRun = { kind, clients, round };
  let session: Session | undefined;
  try {
    session = await Session.open({ kind, ...(profile && options.profileDir ? { profileDir: options.profileDir } : {}) });
    await session.connect(clients, true);
    const floodEvents = Math.max(10, Math.round(options.floodDeliveries / clients));
    const common = { bytes: options.payloadBytes, burst: options.burst, maxMs: 120_000 };
    // Warm-up (JIT, buffers), not measured.
    await session.phase({ phase: 1, mode: "flood", events: Math.max(10, Math.round(floodEvents / 5)), label: `N${clients}-warmup`, ...common });
    run.flood = await session.phase({ phase: 2, mode: "flood", events: floodEvents, label: `N${clients}-flood`, ...common });
    const rate = options.pacedRate(clients);
    run.paced = await session.phase({ phase: 3, mode: "paced", events: Math.round(rate * options.pacedSeconds), rate, label: `N${clients}-paced`, ...common });
  } catch (error) {
    run.error = error instanceof Error ? error.message : String(error);
  } finally {
    await session?.close();
  }
  return run;
}

function metrics(result: PhaseResult | undefined): FanoutMetrics | undefined {
  if (!result) return undefined;
  const { received, sent, window } = result;
  const deliveries = received.received;
  return {
    deliveriesPerSecond: (deliveries / Math.max(1e-3, received.doneAt - sent.startAt)) * 1000,
    p50: received.latency.p50,
    p99: received.latency.p99,
    cpuPerDelivery: deliveries > 0 ? window.cpuUs / deliveries : Number.NaN,
    peakRss: Math.max(window.peak.rss, window.before.rss),
    lost: received.lost,
    failedRounds: 0,
    clientCpuPerDelivery: deliveries > 0 ? received.clientCpuUs / deliveries : Number.NaN,
  };
}

export async function runFanout(options: FanoutOptions): Promise<{ section: Section; summary: FanoutSummary; runs: FanoutRun[] }> {
  const runs: FanoutRun[] = [];
  const largest = Math.max(...options.sizes);
  let profiled = false;
  for (const clients of options.sizes) {
    for (let round = 0; round < options.rounds; round++) {
      for (const kind of rotate(options.contenders, round)) {
        const profile = !profiled && kind === "ours" && clients === largest && options.profileDir !== undefined;
        if (profile) profiled = true;
        const started = performance.now();
        const run = await fanoutOnce(kind, clients, round, options, profile);
        runs.push(run);
        const flood = metrics(run.flood);
        console.log(
          `  fan-out N=${clients} round ${round + 1}/${options.rounds} ${SERVER_LABELS[kind]}: ` +
            (run.error
              ? `FAILED: ${run.error.split("\n")[0]}`
              : `flood ${fmt.rate(flood!.deliveriesPerSecond)}, ${fmt.us(flood!.cpuPerDelivery)}/delivery, p50 ${fmt.ms(flood!.p50)}, lost ${flood!.lost}; paced p99 ${fmt.ms(metrics(run.paced)!.p99)}, lost ${run.paced!.received.lost}`) +
            ` (${((performance.now() - started) / 1000).toFixed(1)} s)`,
        );
      }
    }
  }
  return { ...summarise(runs, options), runs };
}

function summarise(runs: FanoutRun[], options: FanoutOptions): { section: Section; summary: FanoutSummary } {
  const tables: Table[] = [];
  const summary: FanoutSummary = {};
  const notes: string[] = [];
  for (const clients of options.sizes) {
    const bySize: FanoutSummary[number] = (summary[clients] = { flood: {}, paced: {} });
    for (const mode of ["flood", "paced"] as const) {
      const series = new Map<ServerKind, FanoutMetrics[]>();
      for (const kind of options.contenders) {
        const list = runs.filter((run) => run.kind === kind && run.clients === clients).map((run) => metrics(run[mode]) ?? failed());
        series.set(kind, list);
      }
      const values = (kind: ServerKind, key: keyof FanoutMetrics) => series.get(kind)!.map((m) => m[key]);
      for (const kind of options.contenders) {
        bySize[mode][kind] = {
          deliveriesPerSecond: med(values(kind, "deliveriesPerSecond")),
          p50: med(values(kind, "p50")),
          p99: med(values(kind, "p99")),
          cpuPerDelivery: med(values(kind, "cpuPerDelivery")),
          peakRss: med(values(kind, "peakRss")),
          lost: Math.max(0, ...values(kind, "lost").filter(Number.isFinite)),
          failedRounds: values(kind, "lost").filter((lost) => !Number.isFinite(lost)).length,
          clientCpuPerDelivery: med(values(kind, "clientCpuPerDelivery")),
        };
      }
      const first = runs.find((run) => run.clients === clients && run[mode]);
      const events = first?.[mode]?.sent.sent ?? 0;
      const rate = options.pacedRate(clients);
      const caption =
        mode === "flood"
          ? `Fan-out to ${clients} clients, flood: ${events} events of ~${options.payloadBytes} B, ${options.burst} per event-loop turn (${options.rounds} rounds)`
          : `Fan-out to ${clients} clients, paced: ${rate} events/s for ${options.pacedSeconds} s (${options.rounds} rounds)`;
      tables.push({
        caption,
        headers: ["contender", "deliveries/s", "latency p50", "latency p99", "server CPU / delivery", "server peak RSS", "lost (worst round)", "client CPU / delivery"],
        rows: options.contenders.map((kind) => [
          SERVER_LABELS[kind],
          cell(values(kind, "deliveriesPerSecond"), fmt.rate),
          cell(values(kind, "p50"), fmt.ms),
          cell(values(kind, "p99"), fmt.ms),
          cell(values(kind, "cpuPerDelivery"), fmt.us),
          cell(values(kind, "peakRss"), fmt.mb),
          lostCell(bySize[mode][kind]!),
          cell(values(kind, "clientCpuPerDelivery"), fmt.us),
        ]),
      });
      const ours = bySize[mode].ours;
      if (ours) {
        tables.push({
          caption: `ratios, N=${clients} ${mode}: ours vs each peer (medians; CPU and latency: lower is better, so a peer's value ÷ ours > 1 means ours is better)`,
          headers: ["peer", "deliveries/s ours ÷ peer", "p50 peer ÷ ours", "p99 peer ÷ ours", "CPU/delivery peer ÷ ours", "CPU/delivery ours ÷ peer"],
          rows: options.contenders
            .filter((kind) => kind !== "ours" && kind !== "ours-pattern")
            .map((kind) => {
              const peer = bySize[mode][kind]!;
              return [SERVER_LABELS[kind], ratio(ours.deliveriesPerSecond, peer.deliveriesPerSecond), ratio(peer.p50, ours.p50), ratio(peer.p99, ours.p99), ratio(peer.cpuPerDelivery, ours.cpuPerDelivery), ratio(ours.cpuPerDelivery, peer.cpuPerDelivery)];
            }),
        });
      }
      const byPattern = bySize[mode]["ours-pattern"];
      if (ours && byPattern) {
        tables.push({
          caption: `ours by pattern vs by name, N=${clients} ${mode} (medians; target: CPU per delivery by pattern ≤ 1.2 × by name)`,
          headers: ["CPU/delivery pattern ÷ name", "p50 pattern ÷ name", "p99 pattern ÷ name", "deliveries/s pattern ÷ name"],
          rows: [[ratio(byPattern.cpuPerDelivery, ours.cpuPerDelivery), ratio(byPattern.p50, ours.p50), ratio(byPattern.p99, ours.p99), ratio(byPattern.deliveriesPerSecond, ours.deliveriesPerSecond)]],
        });
      }
    }
  }
  for (const run of runs) {
    if (run.error) notes.push(`N=${run.clients} round ${run.round + 1} ${SERVER_LABELS[run.kind]} failed: ${run.error.split("\n")[0]}`);
    for (const mode of ["flood", "paced"] as const) {
      const result = run[mode];
      if (!result) continue;
      const { received } = result;
      if (received.lost > 0 || received.outOfOrder > 0 || received.gaps > 0 || !received.complete) {
        notes.push(
          `N=${run.clients} ${mode} round ${run.round + 1} ${SERVER_LABELS[run.kind]}: ${received.lost} lost over ${received.incomplete} clients, ${received.outOfOrder} out of order, ${received.gaps} gap frames` +
            (result.window.stats ? `; transport stats ${JSON.stringify(result.window.stats)}` : ""),
        );
      }
    }
  }
  const section: Section = {
    title: "1. Fan-out",
    about: [
      "N clients subscribed to one public event; each event carries a ~100 B JSON payload with its trigger time (`performance.timeOrigin + performance.now()`; the client computes the latency on receipt, both clocks are the same machine's).",
      "**Flood**: the server triggers the events as fast as it can, the same number per event-loop turn for every contender (setImmediate between bursts); deliveries/s = deliveries ÷ (last delivery to the last client − first trigger).",
      "**Paced**: a fixed rate every contender sustains. Server CPU = `process.cpuUsage()` delta of the server process over the window (mark → every client has every event), ÷ deliveries. Peak RSS sampled every 100 ms (heap figures every 200 ms).",
      "One warm-up flood (a fifth of the size) precedes the measured one in each server process.",
      "Contenders: **ours** = EventBus + EventsTransport (`trigger` not awaited inside the burst; clients `subscribe` per protocol v1), **ours, by pattern** = the same server with every client subscribed to the pattern `bench:*` instead of the name (issue 12: a pattern's fan-out is indexed by prefix, not scanned), **raw ws, naive** = one prepared Buffer `ws.send` to every client, **raw ws, corked** = the same with each socket corked for the burst and uncorked on `process.nextTick`, **Socket.IO 4.8** = `io.to(room).emit` (websocket transport only, `perMessageDeflate: false`).",
      "Clients: all contenders are received by the same client — one process holding N bare `ws` WebSockets (`perMessageDeflate: false`) speaking each server's wire protocol by hand (protocol v1 for ours, Engine.IO v4/Socket.IO v5 frames for Socket.IO), one `JSON.parse` per frame — so the client-side cost is equal.",
    ].join("\n\n"),
    tables,
    notes,
  };
  printSection(section);
  return { section, summary };
}

function failed(): FanoutMetrics {
  return { deliveriesPerSecond: Number.NaN, p50: Number.NaN, p99: Number.NaN, cpuPerDelivery: Number.NaN, peakRss: Number.NaN, lost: Number.NaN, failedRounds: 1, clientCpuPerDelivery: Number.NaN };
}
