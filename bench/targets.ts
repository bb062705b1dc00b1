/**
 * The targets (issues 5 and 11), judged from the benchmarks' summaries (medians over the rounds),
 * and the bars of docs/benchmarks.svg.
 *
 * Every target is judged at every configuration its benchmark measures (client counts, flood and
 * paced, one instance and two, stalled counts, requests in flight, handler counts), each with its
 * own verdict; a target is met only if it is met at all of them. A configuration is left out only
 * where the figure means nothing there, and the target's text says why.
 *
 * Run alone on saved figures: `node --import tsx bench/targets.ts [bench/results/latest.json]`
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ClusterMetrics, ClusterSummary } from "./fanout-cluster";
import type { FanoutMetrics, FanoutSummary } from "./fanout";
import type { ServerKind } from "./net/common";
import { fmt, printTargets, type ChartBar, type Check, type Target } from "./report";
import type { ReqRepSummary } from "./reqrep";
import type { SlowSummary } from "./slow-consumers";

/** What the benchmarks that ran measured; a benchmark that did not run is absent. */
export interface Summaries {
  fanout?: FanoutSummary;
  cluster?: ClusterSummary;
  reqrep?: ReqRepSummary;
  slow?: SlowSummary;
  /** Deliveries per fan-out flood in this run (the CPU baseline is only comparable at its own size). */
  fanoutFloodDeliveries?: number;
  /** Suite ("one", "ten", "listen") → contender → operations/s. */
  inProcess?: Record<string, Record<string, number>>;
}

/**
 * Our server's CPU per delivery in the fan-out flood before issue 11 (docs/benchmarks.md of
 * 2026-11-28, 5 rounds), to keep in sight while the latency work goes on. Absolute figures move
 * between runs and machines, so this is information with a tolerance, not a target.
 */
export const CPU_BASELINE = {
  source: "docs/benchmarks.md, 2026-11-28",
  /** µs per delivery, by client count. */
  perDeliveryUs: { 100: 1.71, 1000: 1.63 } as Record<number, number>,
  /** The floods it was measured with (a quick run's are smaller, and cost more per delivery). */
  floodDeliveries: 300_000,
  /** Within +10% of the baseline counts as no worse. */
  tolerance: 0.1,
} as const;

const x = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "–");
/** undefined when the figure is missing (a contender failed or did not run). */
const judge = (value: number, ok: (value: number) => boolean) => (Number.isFinite(value) ? ok(value) : undefined);
const clientsLabel = (clients: number) => `N=${clients.toLocaleString("en")}`;

/** `ours vs peer = ratio`, judged by `ok(ours ÷ peer)`. */
function versus(where: string, ours: number | undefined, peer: number | undefined, format: (value: number) => string, ok: (ratio: number) => boolean, extra = ""): Check {
  const a = ours ?? Number.NaN;
  const b = peer ?? Number.NaN;
  const ratio = b === 0 ? Number.NaN : a / b;
  const shown = (value: number) => (Number.isFinite(value) ? format(value) : "–");
  return { where, measured: `${shown(a)} vs ${shown(b)} = ${x(ratio)}${extra}`, met: judge(ratio, ok) };
}

/** Zero loss over the rounds; a failed round leaves it unknown. */
function noLoss(where: string, metrics: Pick<FanoutMetrics, "lost" | "failedRounds"> | undefined): Check {
  if (!metrics) return { where, measured: "not measured", met: undefined };
  if (metrics.failedRounds > 0) return { where, measured: `${metrics.lost} lost; ${metrics.failedRounds} round(s) failed`, met: undefined };
  return { where, measured: `${metrics.lost} lost`, met: metrics.lost === 0 };
}

/** Now against the baseline, as a change in per cent, within the tolerance or not; unjudged when the floods differ in size. */
function baselineCheck(where: string, now: number | undefined, before: number, floodDeliveries: number | undefined): Check {
  const change = (now ?? Number.NaN) / before - 1;
  const shown = Number.isFinite(change) ? `${change >= 0 ? "+" : "−"}${Math.abs(change * 100).toFixed(0)}%` : "–";
  const measured = `${now === undefined || !Number.isFinite(now) ? "–" : fmt.us(now)} now, ${fmt.us(before)} before: ${shown}`;
  if (floodDeliveries !== undefined && floodDeliveries !== CPU_BASELINE.floodDeliveries) {
    const size = (n: number) => n.toLocaleString("en");
    return { where, measured: `${measured} (not comparable: floods of ${size(floodDeliveries)} deliveries, the baseline's ${size(CPU_BASELINE.floodDeliveries)})`, met: undefined };
  }
  return { where, measured, met: judge(change, (v) => v <= CPU_BASELINE.tolerance) };
}

interface FanoutConfig {
  where: string;
  mode: "flood" | "paced";
  clients: number;
  byKind: Partial<Record<ServerKind, FanoutMetrics>>;
}

function fanoutConfigs(fanout: FanoutSummary | undefined): FanoutConfig[] {
  if (!fanout) return [];
  const sizes = Object.keys(fanout).map(Number).sort((a, b) => a - b);
  return sizes.flatMap((clients) => (["flood", "paced"] as const).map((mode) => ({ where: `${clientsLabel(clients)} ${mode}`, mode, clients, byKind: fanout[clients]![mode] })));
}

interface ClusterConfig {
  where: string;
  mode: "flood" | "paced";
  ours?: ClusterMetrics;
  socketio?: ClusterMetrics;
}

function clusterConfigs(cluster: ClusterSummary | undefined): ClusterConfig[] {
  if (!cluster) return [];
  return (["flood", "paced"] as const).map((mode) => ({ where: `two instances ${mode}`, mode, ours: cluster[mode].ours, socketio: cluster[mode].socketio }));
}

function fanoutTargets({ fanout, cluster, fanoutFloodDeliveries }: Summaries): Target[] {
  const one = fanoutConfigs(fanout);
  const two = clusterConfigs(cluster);
  if (one.length === 0 && two.length === 0) return [];
  const flood = <T extends { mode: string }>(list: T[]) => list.filter((config) => config.mode === "flood");
  const paced = <T extends { mode: string }>(list: T[]) => list.filter((config) => config.mode === "paced");
  const targets: Target[] = [
    {
      benchmark: "fan-out, one instance and two",
      target: "server CPU/delivery ≤ 0.5 × Socket.IO's (two instances: both servers' CPU)",
      checks: [
        ...one.map((c) => versus(c.where, c.byKind.ours?.cpuPerDelivery, c.byKind.socketio?.cpuPerDelivery, fmt.us, (r) => r <= 0.5)),
        ...two.map((c) => versus(c.where, c.ours?.serversCpuPerDelivery, c.socketio?.serversCpuPerDelivery, fmt.us, (r) => r <= 0.5)),
      ],
    },
  ];
  if (one.some((c) => c.byKind["ours-pattern"])) {
    targets.push({
      benchmark: "fan-out by pattern, one instance (issue 12)",
      target: "server CPU/delivery with clients subscribed by pattern `bench:*` ≤ 1.2 × by name",
      checks: one.map((c) => versus(c.where, c.byKind["ours-pattern"]?.cpuPerDelivery, c.byKind.ours?.cpuPerDelivery, fmt.us, (r) => r <= 1.2)),
    });
  }
  if (one.length > 0) {
    targets.push({
      benchmark: "fan-out, one instance",
      target: "server CPU/delivery ≤ 1.3 × corked raw ws",
      checks: one.map((c) => versus(c.where, c.byKind.ours?.cpuPerDelivery, c.byKind["ws-corked"]?.cpuPerDelivery, fmt.us, (r) => r <= 1.3)),
    });
  }
  targets.push(
    {
      benchmark: "fan-out, flood",
      target: "deliveries/s ≥ 2 × Socket.IO's (flood only: in the paced runs every contender delivers the rate it is given)",
      checks: [
        ...flood(one).map((c) => versus(c.where, c.byKind.ours?.deliveriesPerSecond, c.byKind.socketio?.deliveriesPerSecond, fmt.rate, (r) => r >= 2)),
        ...flood(two).map((c) => versus(c.where, c.ours?.deliveriesPerSecond, c.socketio?.deliveriesPerSecond, fmt.rate, (r) => r >= 2)),
      ],
    },
    {
      benchmark: "fan-out, flood (issue 11)",
      target: "latency p50 ≤ 1.5 × Socket.IO's (two instances: on A, local, and on B, through Redis)",
      checks: [
        ...flood(one).map((c) => versus(c.where, c.byKind.ours?.p50, c.byKind.socketio?.p50, fmt.ms, (r) => r <= 1.5)),
        ...flood(two).flatMap((c) => [
          versus(`${c.where}, on A`, c.ours?.localP50, c.socketio?.localP50, fmt.ms, (r) => r <= 1.5),
          versus(`${c.where}, on B`, c.ours?.remoteP50, c.socketio?.remoteP50, fmt.ms, (r) => r <= 1.5),
        ]),
      ],
    },
    {
      benchmark: "fan-out, paced",
      target: "latency p99 ≤ Socket.IO's (two instances: on B, through Redis)",
      checks: [
        ...paced(one).map((c) => versus(c.where, c.byKind.ours?.p99, c.byKind.socketio?.p99, fmt.ms, (r) => r <= 1)),
        ...paced(two).map((c) => versus(`${c.where}, on B`, c.ours?.remoteP99, c.socketio?.remoteP99, fmt.ms, (r) => r <= 1)),
      ],
    },
    {
      benchmark: "fan-out, one instance and two (issue 6)",
      target: "zero loss (ours)",
      checks: [...one.map((c) => noLoss(c.where, c.byKind.ours)), ...two.map((c) => noLoss(c.where, c.ours))],
    },
  );
  const baselined = flood(one).filter((c) => CPU_BASELINE.perDeliveryUs[c.clients] !== undefined);
  if (baselined.length > 0) {
    const tolerance = `+${(CPU_BASELINE.tolerance * 100).toFixed(0)}%`;
    targets.push({
      benchmark: "fan-out, flood (information)",
      target: `server CPU/delivery no worse than before issue 11 (${CPU_BASELINE.source}), within ${tolerance}: absolute figures vary between runs and machines, so this is a guide, not a target`,
      informational: true,
      checks: baselined.map((c) => baselineCheck(c.where, c.byKind.ours?.cpuPerDelivery, CPU_BASELINE.perDeliveryUs[c.clients]!, fanoutFloodDeliveries)),
    });
  }
  return targets;
}

function slowTargets(slow: SlowSummary | undefined): Target[] {
  const ours = slow?.ours;
  if (!ours) return [];
  const counts = Object.keys(ours).map(Number).filter((count) => count > 0).sort((a, b) => a - b);
  const baseline = ours[0];
  const where = (count: number) => `${count} stalled`;
  return [
    {
      benchmark: "slow consumers",
      target: "server RSS growth < 32 MB whatever the number of stalled clients",
      checks: counts.map((count) => ({ where: where(count), measured: `+${fmt.mb(ours[count]!.rssGrowth)}`, met: judge(ours[count]!.rssGrowth, (v) => v < 32 * 1048576) })),
    },
    {
      benchmark: "slow consumers",
      target: "the normal client receives everything (worst round)",
      checks: counts.map((count) => {
        const m = ours[count]!;
        return { where: where(count), measured: `${m.received} / ${m.expected}`, met: judge(m.expected, (expected) => m.received === expected) };
      }),
    },
    {
      benchmark: "slow consumers",
      target: "normal client's ping p50 ≤ 2 × the run without stalled clients",
      checks: counts.map((count) => versus(where(count), ours[count]!.pingP50, baseline?.pingP50, fmt.ms, (r) => r <= 2)),
    },
  ];
}

function reqrepTargets(reqrep: ReqRepSummary | undefined): Target[] {
  if (!reqrep) return [];
  const inFlight = Object.keys(reqrep).map(Number).sort((a, b) => a - b);
  const where = (n: number) => `${n} in flight`;
  return [
    {
      benchmark: "request/reply",
      target: "round trips/s ≥ 1.2 × Socket.IO's, client libraries: EventManager browser-like (one write per frame, as a page sends) vs socket.io-client emitWithAck (which does not cork in Node either); EventManager in Node (corked writes) beside it",
      checks: inFlight.map((n) => {
        const row = reqrep[n]!;
        const io = row["socketio-library"]?.perSecond;
        const node = row["ours-node"]?.perSecond ?? Number.NaN;
        const nodeRatio = io === undefined || io === 0 ? Number.NaN : node / io;
        return versus(where(n), row["ours-browser"]?.perSecond, io, fmt.rate, (r) => r >= 1.2, `; Node, corked: ${Number.isFinite(node) ? fmt.rate(node) : "–"} = ${x(nodeRatio)}`);
      }),
    },
    {
      benchmark: "request/reply",
      target: "round trips/s ≥ 1.2 × Socket.IO's, raw frames on both",
      checks: inFlight.map((n) => versus(where(n), reqrep[n]!["ours-raw"]?.perSecond, reqrep[n]!["socketio-raw"]?.perSecond, fmt.rate, (r) => r >= 1.2)),
    },
  ];
}

const IN_PROCESS_SUITES = [
  ["one", "1 handler"],
  ["ten", "10 handlers"],
] as const;

function inProcessTargets(inProcess: Summaries["inProcess"]): Target[] {
  if (!inProcess) return [];
  const checks = IN_PROCESS_SUITES.flatMap(([suite, label]) =>
    (["internal", "public"] as const).map((kind) =>
      versus(`${label}, ${kind} event`, inProcess[suite]?.[`webfluid trigger, ${kind} (awaited)`], inProcess[suite]?.["emittery.emit (awaited)"], fmt.rate, (r) => r >= 2),
    ),
  );
  return [{ benchmark: "in-process", target: "trigger (awaited) ≥ 2 × emittery", checks }];
}

/** The chart: ours relative to a peer, > 1 = ours better, with the target on the same scale. */
function chartBars({ fanout, cluster, reqrep, slow, inProcess }: Summaries): ChartBar[] {
  const bars: ChartBar[] = [];
  const big = fanout?.[1000];
  if (big?.flood.ours && big.flood.socketio && big.flood["ws-corked"] && big.flood["ws-naive"]) {
    const { ours, socketio, "ws-corked": corked, "ws-naive": naive } = big.flood;
    bars.push(
      { label: "fan-out 1k flood: CPU/delivery, Socket.IO ÷ ours", value: socketio.cpuPerDelivery / ours.cpuPerDelivery, target: 2 },
      { label: "fan-out 1k flood: CPU/delivery, corked ws ÷ ours", value: corked.cpuPerDelivery / ours.cpuPerDelivery, target: 1 / 1.3 },
      { label: "fan-out 1k flood: CPU/delivery, naive ws ÷ ours", value: naive.cpuPerDelivery / ours.cpuPerDelivery },
      { label: "fan-out 1k flood: deliveries/s, ours ÷ Socket.IO", value: ours.deliveriesPerSecond / socketio.deliveriesPerSecond, target: 2 },
    );
  }
  if (big?.paced.ours && big.paced.socketio) bars.push({ label: "fan-out 1k paced: p99, Socket.IO ÷ ours", value: big.paced.socketio.p99 / big.paced.ours.p99, target: 1 });
  const small = fanout?.[100];
  if (small?.flood.ours && small.flood.socketio) {
    bars.push(
      { label: "fan-out 100 flood: CPU/delivery, Socket.IO ÷ ours", value: small.flood.socketio.cpuPerDelivery / small.flood.ours.cpuPerDelivery, target: 2 },
      { label: "fan-out 100 flood: p50, Socket.IO ÷ ours", value: small.flood.socketio.p50 / small.flood.ours.p50, target: 1 / 1.5 },
    );
  }
  if (cluster?.flood.ours && cluster.flood.socketio) {
    bars.push({ label: "2 instances flood: deliveries/s, ours ÷ Socket.IO", value: cluster.flood.ours.deliveriesPerSecond / cluster.flood.socketio.deliveriesPerSecond, target: 2 });
  }
  const ours = slow?.ours;
  if (ours?.[0]) {
    for (const count of Object.keys(ours).map(Number).filter((n) => n > 0)) {
      bars.push({ label: `slow: ping p50 without ÷ with ${count} stalled (ours)`, value: ours[0].pingP50 / ours[count]!.pingP50, target: 0.5 });
    }
  }
  for (const peer of ["ws-naive", "socketio"] as const) {
    const value = slow?.[peer]?.[50];
    const stalled = ours?.[50];
    if (value && stalled) bars.push({ label: `slow: RSS growth, ${peer === "socketio" ? "Socket.IO" : "naive ws"} ÷ ours`, value: value.rssGrowth / Math.max(stalled.rssGrowth, 1048576) });
  }
  const row = reqrep?.[100];
  if (row?.["socketio-library"] && row["socketio-raw"] && row["ours-raw"]) {
    const io = row["socketio-library"].perSecond;
    if (row["ours-browser"]) bars.push({ label: "req/rep 100: EventManager browser-like ÷ socket.io-client", value: row["ours-browser"].perSecond / io, target: 1.2 });
    if (row["ours-node"]) bars.push({ label: "req/rep 100: EventManager Node (corked) ÷ socket.io-client", value: row["ours-node"].perSecond / io });
    bars.push({ label: "req/rep 100: ours raw ÷ Socket.IO raw", value: row["ours-raw"].perSecond / row["socketio-raw"].perSecond, target: 1.2 });
    if (row["ws-raw"]) bars.push({ label: "req/rep 100: ours raw ÷ raw ws echo", value: row["ours-raw"].perSecond / row["ws-raw"].perSecond });
  }
  const one = inProcess?.one;
  if (one) bars.push({ label: "in-process 1 handler: trigger ÷ emittery (internal)", value: one["webfluid trigger, internal (awaited)"]! / one["emittery.emit (awaited)"]!, target: 2 });
  return bars;
}

export function judgeTargets(summaries: Summaries): { targets: Target[]; bars: ChartBar[] } {
  const targets = [...fanoutTargets(summaries), ...slowTargets(summaries.slow), ...reqrepTargets(summaries.reqrep), ...inProcessTargets(summaries.inProcess)];
  return { targets, bars: chartBars(summaries) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] ?? fileURLToPath(new URL("./results/latest.json", import.meta.url));
  const saved = JSON.parse(readFileSync(file, "utf8")) as { summaries?: Summaries };
  if (!saved.summaries) throw new Error(`${file} has no "summaries" (written by bench/run.ts since issue 11)`);
  printTargets(judgeTargets(saved.summaries).targets);
}
