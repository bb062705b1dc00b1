/**
 * The soak's console summary and its memory chart, for one server (the plain soak) or for every
 * instance (`--redis`).
 */
import { formatCounts, mb, MB } from "./common";
import type { SoakRedisResult, SoakResult } from "./soak";
import type { MemorySample, ServerRun, SoakMemory } from "./soak-servers";
import type { LineChart, Series } from "./svg";

export function memoryChart(result: SoakResult | SoakRedisResult): LineChart {
  const plain = (samples: MemorySample[], pick: (s: MemorySample) => number) => samples.filter((s) => !s.afterGc && Number.isFinite(pick(s))).map((s) => ({ x: s.t / 60, y: pick(s) / MB }));
  const afterGc = (samples: MemorySample[], pick: (s: MemorySample) => number) => samples.filter((s) => s.afterGc).map((s) => ({ x: s.t / 60, y: pick(s) / MB }));
  const chart = {
    title: `Server memory during the soak${"servers" in result ? " on Redis" : ""} (${result.date}, ${(result.durationS / 60).toFixed(1)} min)`,
    xLabel: "minutes since the load started",
    yLabel: "MB",
    warmUpUntil: result.warmUpS / 60,
  };
  if (!("servers" in result)) {
    const samples = result.samples;
    return {
      ...chart,
      series: [
        { label: "RSS", colour: "#0969da", points: plain(samples, (s) => s.rss) },
        { label: "heap total", colour: "#8250df", points: plain(samples, (s) => s.heapTotal), dashed: true },
        { label: "heap used", colour: "#1a7f37", points: plain(samples, (s) => s.heapUsed) },
        { label: "external", colour: "#bc4c00", points: plain(samples, (s) => s.external), dashed: true },
        { label: "heap used right after a forced full GC", colour: "#cf222e", points: afterGc(samples, (s) => s.heapUsed), dots: true },
        { label: "RSS then", colour: "#0969da", points: afterGc(samples, (s) => s.rss), dots: true },
      ],
    };
  }
  // Per instance: RSS and heap used, and the heap right after forced GCs; A solid, B dashed.
  const colours = [
    { rss: "#0969da", heap: "#1a7f37", gc: "#cf222e" },
    { rss: "#8250df", heap: "#bc4c00", gc: "#9a6700" },
  ];
  const series: Series[] = result.servers.flatMap((server, index) => {
    const colour = colours[index % colours.length]!;
    const dashed = index % 2 === 1;
    return [
      { label: `${server.label}: RSS`, colour: colour.rss, points: plain(server.samples, (s) => s.rss), dashed },
      { label: `${server.label}: heap used`, colour: colour.heap, points: plain(server.samples, (s) => s.heapUsed), dashed },
      { label: `${server.label}: heap used right after a forced full GC`, colour: colour.gc, points: afterGc(server.samples, (s) => s.heapUsed), dots: true },
    ];
  });
  return { ...chart, series };
}

export function printSummary(result: SoakResult | SoakRedisResult): void {
  const { clients } = result;
  const line = (label: string, value: string) => console.log(`  ${label.padEnd(34)} ${value}`);
  console.log(`\n=== Soak: ${result.command}, ${(result.durationS / 60).toFixed(1)} min ===`);
  const memories: [string, SoakMemory][] = "servers" in result ? result.servers.map((server) => [`${server.label}: `, server.memory]) : [["", result.memory]];
  for (const [prefix, memory] of memories) {
    for (const [name, figures] of [["RSS", memory.rss], ["heap used", memory.heapUsed]] as const) {
      line(`${prefix}${name}`, `start ${mb(figures.start)}, after warm-up ${mb(figures.afterWarmUp)}, end ${mb(figures.end)}, max ${mb(figures.max)}, slope after warm-up ${perMinute(figures.slopeMbPerMin)}`);
      line(`${prefix}${name} after forced GCs`, `${figures.gcSamples} samples after warm-up: first ${mb(figures.gcFirst)}, last ${mb(figures.gcLast)}, slope ${perMinute(figures.gcSlopeMbPerMin)}`);
    }
    line(`${prefix}memory flat after warm-up`, memory.flat ? "yes" : memory.reason ? `NO (${memory.reason})` : "NO");
  }
  for (const stream of result.triggers) {
    line(`triggers ${stream.event}`, `${stream.acked} acked (${stream.perSecond.toFixed(0)}/s of ${stream.target}/s), failed ${formatCounts(stream.failed)}, skipped ${stream.skipped}, ack p50 ${stream.p50.toFixed(1)} ms p99 ${stream.p99.toFixed(1)} ms`);
  }
  for (const [event, byKind] of Object.entries(clients.ledgers)) {
    for (const kind of ["reading", "slow"] as const) {
      const totals = byKind[kind];
      line(
        `${event}, ${kind} sessions`,
        `${totals.sessions} sessions, owed ${totals.owed}, received ${totals.received}, missing ${totals.holes}, gaps ${totals.gaps} (missed ${totals.gapMissed}${totals.gapUnknown ? `, ${totals.gapUnknown} unknown` : ""}), silent ${totals.silent}, over-announced ${totals.overReported}, dup ${totals.duplicates}${totals.reordered ? `, reordered ${totals.reordered} (by at most ${totals.reorderedBy} ids)` : ""}${totals.beforeStart ? `, from before the start ${totals.beforeStart}` : ""}`,
      );
    }
  }
  line("lost by clients that kept reading", String(result.lostByReadingClients));
  line("connections made", `${clients.connections} (failures: ${formatCounts(clients.connectFailures)}; unexpected closes: ${formatCounts(clients.unexpectedCloses)})`);
  line("requests", `${clients.requests.ok} ok of ${clients.requests.sent}, failed ${formatCounts(clients.requests.failed)}, p50 ${clients.requests.p50.toFixed(1)} ms p99 ${clients.requests.p99.toFixed(1)} ms`);
  line("fuzzer", `${clients.fuzz.frames} frames on ${clients.fuzz.connections} connections; closes ${formatCounts(clients.fuzz.closes)}`);
  const logs: [string, ServerRun["serverLog"], number | null][] = "servers" in result ? result.servers.map((server) => [`${server.label}: `, server.serverLog, server.serverExit]) : [["", result.serverLog, result.serverExit]];
  for (const [prefix, serverLog, exit] of logs) {
    line(`${prefix}server log (warn/error)`, serverLog.map((entry) => `${entry.level} ×${entry.count}: ${entry.message}`).join("; ") || "none");
    line(`${prefix}server exit (SIGTERM)`, String(exit));
  }
}

function perMinute(mbPerMin: number): string {
  return Number.isFinite(mbPerMin) ? `${mbPerMin.toFixed(2)} MB/min` : "– (too few samples)";
}
