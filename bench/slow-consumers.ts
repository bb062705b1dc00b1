/**
 * Slow consumers: S clients stop reading (their sockets paused in the client process) while
 * 20,000 events of 1 KB go out at a fixed rate, plus one normal client that must receive all of
 * them and pings every 20 ms. Server RSS and heap growth (peak − before, after a GC), what the
 * normal client received, its ping p50 — and the same run without stalled clients.
 *
 * Run alone: `node --import tsx bench/run.ts --only slow [--quick] [--rounds N]`
 */
import { SERVER_LABELS, type ServerKind } from "./net/common";
import { rotate, Session, type PhaseResult } from "./net/session";
import { cell, fmt, med, printSection, ratio, type Section } from "./report";

export interface SlowOptions {
  rounds: number;
  events: number;
  bytes: number;
  rate: number;
  /** Stalled-client counts measured for every contender (0 = the baseline). */
  stalled: number[];
  /** Extra stalled counts measured for ours only (to show the bound does not depend on it). */
  extraOursStalled: number[];
  contenders: ServerKind[];
  holdMs: number;
}

interface SlowRun {
  kind: ServerKind;
  stalled: number;
  round: number;
  result?: PhaseResult;
  error?: string;
}

export interface SlowMetrics {
  rssGrowth: number;
  heapGrowth: number;
  externalGrowth: number;
  received: number;
  expected: number;
  pingP50: number;
  pingP99: number;
  sendSeconds: number;
}

export type SlowSummary = Partial<Record<ServerKind, Record<number, SlowMetrics>>>;

async function slowOnce(kind: ServerKind, stalled: number, round: number, options: SlowOptions): Promise<SlowRun> {
  const run: SlowRun = { kind, stalled, round };
  let session: Session | undefined;
  try {
    session = await Session.open({ kind });
    await session.connect(stalled + 1, true);
    const common = { bytes: options.bytes, rate: options.rate, burst: 50, maxMs: 180_000 };
    // Warm-up with everyone reading, then the stalled ones stop.
    await session.phase({ phase: 1, mode: "paced", events: 500, ...common });
    if (stalled > 0) await session.client.call("pause", { from: 0, to: stalled });
    run.result = await session.phase({ phase: 2, mode: "paced", events: options.events, from: stalled, to: stalled + 1, pingIndex: stalled, holdMs: options.holdMs, ...common });
  } catch (error) {
    run.error = error instanceof Error ? error.message : String(error);
  } finally {
    await session?.close();
  }
  return run;
}

function metrics(result: PhaseResult | undefined): SlowMetrics {
  if (!result) return { rssGrowth: NaN, heapGrowth: NaN, externalGrowth: NaN, received: NaN, expected: NaN, pingP50: NaN, pingP99: NaN, sendSeconds: NaN };
  const { window, received, ping, sent } = result;
  return {
    rssGrowth: window.peak.rss - window.before.rss,
    heapGrowth: window.peak.heapUsed - window.before.heapUsed,
    externalGrowth: window.peak.external - window.before.external,
    received: received.received,
    expected: received.expected,
    pingP50: ping?.p50 ?? NaN,
    pingP99: ping?.p99 ?? NaN,
    sendSeconds: (sent.endAt - sent.startAt) / 1000,
  };
}

export async function runSlowConsumers(options: SlowOptions): Promise<{ section: Section; summary: SlowSummary }> {
  const runs: SlowRun[] = [];
  const plan = (round: number) =>
    rotate(options.contenders, round).flatMap((kind) => {
      const counts = kind === "ours" ? [...options.stalled, ...options.extraOursStalled] : options.stalled;
      return (round % 2 ? [...counts].reverse() : counts).map((stalled) => ({ kind, stalled }));
    });
  for (let round = 0; round < options.rounds; round++) {
    for (const { kind, stalled } of plan(round)) {
      const started = performance.now();
      const run = await slowOnce(kind, stalled, round, options);
      runs.push(run);
      const m = metrics(run.result);
      console.log(
        `  slow consumers round ${round + 1}/${options.rounds} ${SERVER_LABELS[kind]}, ${stalled} stalled: ` +
          (run.error ? `FAILED: ${run.error.split("\n")[0]}` : `RSS +${fmt.mb(m.rssGrowth)}, heap +${fmt.mb(m.heapGrowth)}, normal client got ${m.received}/${m.expected}, ping p50 ${fmt.ms(m.pingP50)}, sent in ${m.sendSeconds.toFixed(1)} s`) +
          ` (${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
    }
  }
  const summary: SlowSummary = {};
  const rows: string[][] = [];
  const ratioRows: string[][] = [];
  for (const kind of options.contenders) {
    const counts = kind === "ours" ? [...options.stalled, ...options.extraOursStalled] : options.stalled;
    summary[kind] = {};
    for (const stalled of counts) {
      const list = runs.filter((run) => run.kind === kind && run.stalled === stalled).map((run) => metrics(run.result));
      const values = (key: keyof SlowMetrics) => list.map((m) => m[key]);
      summary[kind][stalled] = {
        rssGrowth: med(values("rssGrowth")),
        heapGrowth: med(values("heapGrowth")),
        externalGrowth: med(values("externalGrowth")),
        received: Math.min(...values("received").map((v) => (Number.isFinite(v) ? v : 0))),
        expected: med(values("expected")),
        pingP50: med(values("pingP50")),
        pingP99: med(values("pingP99")),
        sendSeconds: med(values("sendSeconds")),
      };
      rows.push([
        SERVER_LABELS[kind],
        String(stalled),
        cell(values("rssGrowth"), fmt.mb),
        cell(values("heapGrowth"), fmt.mb),
        cell(values("externalGrowth"), fmt.mb),
        `${summary[kind][stalled]!.received} / ${options.events}`,
        cell(values("pingP50"), fmt.ms),
        cell(values("pingP99"), fmt.ms),
        cell(values("sendSeconds"), (v) => `${v.toFixed(1)} s`),
      ]);
    }
    const baseline = summary[kind][0];
    for (const stalled of counts.filter((count) => count > 0)) {
      const with_ = summary[kind][stalled]!;
      if (baseline) ratioRows.push([SERVER_LABELS[kind], String(stalled), ratio(with_.pingP50, baseline.pingP50), ratio(with_.pingP99, baseline.pingP99)]);
    }
  }
  const ours = summary.ours;
  const peerRows = options.contenders
    .filter((kind) => kind !== "ours")
    .flatMap((kind) =>
      options.stalled
        .filter((count) => count > 0)
        .map((stalled) => [SERVER_LABELS[kind], String(stalled), ratio(summary[kind]![stalled]!.rssGrowth, ours?.[stalled]?.rssGrowth ?? NaN), ratio(summary[kind]![stalled]!.pingP50, ours?.[stalled]?.pingP50 ?? NaN)]),
    );
  const notes = runs.filter((run) => run.error).map((run) => `round ${run.round + 1} ${SERVER_LABELS[run.kind]} with ${run.stalled} stalled failed: ${run.error!.split("\n")[0]}`);
  for (const run of runs) {
    const stats = run.result?.window.stats;
    if (stats && run.round === 0) notes.push(`ours, ${run.stalled} stalled, round 1: transport stats at the end ${JSON.stringify(stats)}`);
  }
  const section: Section = {
    title: "3. Slow consumers",
    about: [
      `Every client subscribes; after a warm-up of 500 events the stalled clients stop reading (\`ws._socket.pause()\` in the client process, for every contender: the Socket.IO clients are bare \`ws\` sockets speaking Engine.IO, paused the same way).`,
      `Then ${options.events.toLocaleString("en")} events of ${options.bytes} B go out at ${options.rate.toLocaleString("en")}/s (a server that cannot keep that pace sends as fast as it can), and one normal client must receive all of them while it pings every 20 ms (protocol \`ping\` op for ours, ws ping/pong for raw ws, an acknowledged emit for Socket.IO).`,
      `Growth = peak (RSS sampled every 100 ms, heap every 200 ms, until ${options.holdMs} ms after the normal client is done) − before (after a GC). Ours runs with the defaults: EVENTS_EVENT_QUEUE_SIZE=5, EVENTS_OVERFLOW=drop-oldest. The peers have no bound: raw ws keeps calling \`send\`, Socket.IO keeps its write buffer.`,
      "`0` stalled is the baseline run for the ping comparison.",
    ].join("\n\n"),
    tables: [
      {
        caption: `Slow consumers: server memory growth and the normal client (${options.rounds} rounds)`,
        headers: ["contender", "stalled", "RSS growth", "heap growth", "external growth", "normal client received (worst round)", "ping p50", "ping p99", "send time"],
        rows,
      },
      { caption: "Ping with stalled clients ÷ without (same contender; target for ours: p50 ≤ 2×)", headers: ["contender", "stalled", "p50 ratio", "p99 ratio"], rows: ratioRows },
      { caption: "Peer ÷ ours (same stalled count; > 1 = ours smaller / faster)", headers: ["peer", "stalled", "RSS growth peer ÷ ours", "ping p50 peer ÷ ours"], rows: peerRows },
    ],
    notes,
  };
  printSection(section);
  return { section, summary };
}
