/**
 * `npm run soak`: the production server under churn, a steady trigger stream, slow clients,
 * requests in flight and a fuzzer, for a bounded time. Not part of `npm test`.
 *
 *   npm run soak                      10 minutes; writes docs/reliability.md (soak section) and docs/reliability-soak.svg
 *   npm run soak -- --minutes 0.5     a smoke run (report printed and written to a temporary folder, docs untouched)
 *   npm run soak -- --minutes 3 --write   a shorter run that still writes docs/
 *
 * Other flags: --clients N (1000), --stream-clients N (40), --rate N (trigger rate of the fast
 * stream, 1000/s), --wide-rate N (20/s), --slow F (share of slow sessions, 0.1), --requests N (20),
 * --fuzz-rate N (frames/s, 20), --sample-seconds N (5).
 *
 * Server: server.ts against the production build (test/support/app-server.ts), in its own process
 * group. Load: two child processes (soak-clients.ts, soak-triggers.ts). Needs `npm run build` first.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { percentile } from "../bench/stats";
import { startAppServer } from "../test/support/app-server";
import { startChild } from "./child";
import {
  SECRET_KEY,
  eventCounters,
  formatCounts,
  LogWatch,
  machine,
  machineLoad,
  mb,
  MB,
  metric,
  metricsToken,
  packageVersion,
  parseFlags,
  requireBuild,
  ROOT,
  scrapeMetrics,
  sleep,
  type MetricSample,
  type RunHeader,
} from "./common";
import { writeReliabilityDoc } from "./report";
import type { ClientsConfig, ClientsReport } from "./soak-clients";
import type { StreamReport, TriggersConfig } from "./soak-triggers";
import { memoryFigures, type MemoryFigures } from "./memory";
import { Inspector, inspectorUrl } from "./inspector";
import { lineChartSvg } from "./svg";
import { WireClient } from "./wire-client";

const USAGE = "usage: npm run soak [-- --minutes N] [--write] [--clients N] [--stream-clients N] [--rate N] [--wide-rate N] [--slow F] [--requests N] [--fuzz-rate N] [--sample-seconds N]";

export interface MemorySample {
  /** Seconds since the load started. */
  t: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  connections: number;
  queueDepth: number;
  /** Server CPU seconds so far. */
  cpu: number;
  lagP99: number;
  /** Taken right after a forced full collection (the live heap, no sawtooth). */
  afterGc?: boolean;
}

export interface SoakResult extends RunHeader {
  warmUpS: number;
  settings: {
    clients: number;
    streamClients: number;
    wideEvent: string;
    streamEvent: string;
    rate: number;
    wideRate: number;
    slowShare: number;
    requests: number;
    query: string;
    requestsAsMonitor: boolean;
    fuzzPerSecond: number;
    env: Record<string, string>;
  };
  /** Whether `report:summary` (public) was declared; if not, the requests asked the internal `model:count` as a monitor session. */
  queryAvailable: boolean;
  samples: MemorySample[];
  /** `reason` when the verdict could not be reached (too few samples after warm-up): then not flat. */
  memory: { rss: MemoryFigures; heapUsed: MemoryFigures; flat: boolean; reason?: string };
  triggers: (Omit<StreamReport, "latenciesMs"> & { p50: number; p99: number; perSecond: number })[];
  clients: Omit<ClientsReport, "requests"> & { requests: Omit<ClientsReport["requests"], "latenciesMs"> & { p50: number; p99: number } };
  serverLog: { level: string; message: string; count: number }[];
  serverLines: number;
  serverExit: number | null;
  metricsEnd: { series: string; value: number }[];
  lostByReadingClients: number;
}

const flags = parseFlags(
  process.argv.slice(2),
  { minutes: "number", write: "boolean", clients: "number", "stream-clients": "number", rate: "number", "wide-rate": "number", slow: "number", requests: "number", "fuzz-rate": "number", "sample-seconds": "number" },
  USAGE,
);
requireBuild();

const minutes = (flags.minutes as number | undefined) ?? 10;
const durationMs = minutes * 60_000;
const full = minutes >= 10;
const toDocs = full || flags.write === true;
const settings = {
  clients: (flags.clients as number | undefined) ?? 1_000,
  streamClients: (flags["stream-clients"] as number | undefined) ?? 40,
  wideEvent: "demo:ping",
  streamEvent: "model:created",
  rate: (flags.rate as number | undefined) ?? 1_000,
  wideRate: (flags["wide-rate"] as number | undefined) ?? 20,
  slowShare: (flags.slow as number | undefined) ?? 0.1,
  requests: (flags.requests as number | undefined) ?? 20,
  query: "report:summary",
  requestsAsMonitor: false,
  fuzzPerSecond: (flags["fuzz-rate"] as number | undefined) ?? 20,
};
const sampleMs = ((flags["sample-seconds"] as number | undefined) ?? 5) * 1_000;
// V8 lets the heap grow for the first minute or so under this load before its first major GCs:
// the first two minutes (a quarter of a shorter run) are warm-up.
const warmUpS = Math.min(120, (durationMs / 1_000) * 0.25);
const command = `npm run soak${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;

const loadStart = machineLoad().uptime;
console.log(`Soak: ${minutes} min — ${machine()}\n  ${loadStart}`);
const token = metricsToken();
const env = {
  SECRET_KEY,
  EVENTS_RATE_LIMIT: "100000",
  // Every simulated client comes from 127.0.0.1: the per-address limits would refuse all but a few.
  EVENTS_RATE_LIMIT_PER_IP: "1000000",
  EVENTS_MAX_CONNECTIONS_PER_IP: "100000",
  EVENTS_METRICS_TOKEN: token,
  REPORTS_WORKER: "1",
  // The inspector (on 127.0.0.1, a free port) lets the soak force a full collection now and then
  // and read the live heap: V8's own heap is a sawtooth that hides a slow leak.
  NODE_OPTIONS: [process.env.NODE_OPTIONS, "--inspect=127.0.0.1:0 --expose-gc"].filter(Boolean).join(" "),
};
const server = await startAppServer({ env, timeoutMs: 120_000 });
const debuggerAt = inspectorUrl(server.lines);
const inspector = debuggerAt ? await Inspector.connect(debuggerAt).catch(() => undefined) : undefined;
if (!inspector) console.warn("  WARNING: no inspector on the server: the memory verdict uses the plain samples");
const gcEveryMs = 30_000;
const logs = new LogWatch();
logs.watch(server);
const wsUrl = server.url.replace(/^http/, "ws");
console.log(`  server ${server.url} (pid ${server.process.pid}), log lines collected and counted by level`);

// What the app declares: the run needs both events, and says so when the query is missing.
const probe = new WireClient(wsUrl);
await probe.opened;
const described = await probe.op({ type: "describe" });
probe.close();
const names = (list: unknown) => ((list as { name: string }[] | undefined) ?? []).map((entry) => entry.name);
for (const event of [settings.wideEvent, settings.streamEvent]) {
  if (!names(described.events).includes(event)) {
    console.error(`The app does not declare the public event "${event}" (describe: ${names(described.events).join(", ")}): the soak needs it.`);
    await server.stop("SIGKILL");
    process.exit(1);
  }
}
const queryAvailable = names(described.queries).includes(settings.query);
if (!queryAvailable) {
  // The app declares report:summary in events/reports.ts; a build whose events/index.ts does not
  // import it has no public query at all. Requests then go to the internal model:count, from a
  // monitor session (the dashboard's way), so that requests are still in flight.
  console.warn(`  WARNING: "${settings.query}" is not a public query of this build (describe lists: ${names(described.queries).join(", ") || "none"}): the requests ask the internal "model:count" as a monitor session instead.`);
  settings.query = "model:count";
  settings.requestsAsMonitor = true;
}

const clientsChild = startChild("soak-clients.ts", "soak clients");
const triggersChild = startChild("soak-triggers.ts", "soak triggers");
const samples: MemorySample[] = [];
let lastMetrics: MetricSample[] | undefined;
const started = Date.now();

const clientsConfig: ClientsConfig = {
  url: wsUrl,
  clients: settings.clients,
  streamClients: settings.streamClients,
  wideEvent: settings.wideEvent,
  streamEvent: settings.streamEvent,
  slowShare: settings.slowShare,
  lifetimeMs: [2_000, 40_000],
  readingMs: [2_000, 8_000],
  pauseMs: [1_000, 10_000],
  rampMs: 10_000,
  requests: settings.requests,
  query: settings.query,
  ...(settings.requestsAsMonitor ? { monitorSecret: SECRET_KEY } : {}),
  requestTimeoutMs: 5_000,
  fuzzPerSecond: settings.fuzzPerSecond,
  fuzzSeed: 7,
};
const triggersConfig: TriggersConfig = {
  url: wsUrl,
  monitorSecret: SECRET_KEY,
  streams: [
    // ~1 KB events: a client that stops reading fills the kernel's buffers (several MB on loopback) within seconds.
    { event: settings.streamEvent, perSecond: settings.rate, connections: 2, pad: 950 },
    { event: settings.wideEvent, perSecond: settings.wideRate, connections: 1, pad: 20 },
  ],
};

async function sample(): Promise<void> {
  const scraped = await scrapeMetrics(server.url, token);
  if (!scraped) return;
  lastMetrics = scraped;
  samples.push({
    t: (Date.now() - started) / 1_000,
    rss: metric(scraped, "wf_events_process_resident_memory_bytes") ?? Number.NaN,
    heapUsed: metric(scraped, "wf_events_nodejs_heap_size_used_bytes") ?? Number.NaN,
    heapTotal: metric(scraped, "wf_events_nodejs_heap_size_total_bytes") ?? Number.NaN,
    external: metric(scraped, "wf_events_nodejs_external_memory_bytes") ?? Number.NaN,
    connections: metric(scraped, "wf_events_connections") ?? Number.NaN,
    queueDepth: metric(scraped, "wf_events_queue_depth") ?? Number.NaN,
    cpu: metric(scraped, "wf_events_process_cpu_seconds_total") ?? Number.NaN,
    lagP99: metric(scraped, "wf_events_nodejs_eventloop_lag_p99_seconds") ?? Number.NaN,
  });
}

let serverExit: number | null = null;
try {
  await sample();
  await clientsChild.call("start", clientsConfig);
  await triggersChild.call("start", triggersConfig);
  let nextProgress = started + 30_000;
  let nextGc = started + gcEveryMs;
  while (Date.now() - started < durationMs) {
    await sleep(Math.min(sampleMs, durationMs - (Date.now() - started)));
    await sample();
    if (inspector && Date.now() >= nextGc) {
      nextGc += gcEveryMs;
      const t = (Date.now() - started) / 1_000;
      await inspector.liveMemory().then(
        (live) => void samples.push({ t, ...live, heapTotal: Number.NaN, external: Number.NaN, connections: Number.NaN, queueDepth: Number.NaN, cpu: Number.NaN, lagP99: Number.NaN, afterGc: true }),
        (error: unknown) => console.warn(`  the inspector failed: ${String(error)}`),
      );
    }
    if (Date.now() >= nextProgress) {
      nextProgress += 30_000;
      const [clients, triggers] = await Promise.all([clientsChild.call<ClientsReport>("progress"), triggersChild.call<StreamReport[]>("progress")]);
      const last = samples.filter((s) => !s.afterGc).at(-1);
      const reading = clients.ledgers[settings.streamEvent]?.reading;
      console.log(
        `  ${((Date.now() - started) / 1_000).toFixed(0)} s: RSS ${mb(last?.rss)}, heap ${mb(last?.heapUsed)}, ${last?.connections} connections; ` +
          `acked ${triggers.map((stream) => `${stream.event} ${stream.acked}`).join(", ")}; sessions ${clients.connections}; ` +
          `reading holes ${reading?.holes ?? 0}; requests ok ${clients.requests.ok}`,
      );
    }
  }
  console.log("  stopping the triggers, then settling every client session…");
  const triggerReports = await triggersChild.call<StreamReport[]>("stop", {}, 60_000);
  const clientsReport = await clientsChild.call<ClientsReport>("stop", {}, 120_000);
  await sample();
  const runSeconds = (Date.now() - started) / 1_000;
  inspector?.close();
  serverExit = await server.stop("SIGTERM");
  logs.stop();
  await Promise.all([clientsChild.stop(), triggersChild.stop()]);

  const result = summarise(triggerReports, clientsReport, runSeconds);
  printSummary(result);
  const directory = toDocs ? join(ROOT, "reliability", "results") : mkdtempSync(join(tmpdir(), "wf-soak-"));
  mkdirSync(directory, { recursive: true });
  const svg = lineChartSvg(memoryChart(result));
  writeFileSync(join(directory, toDocs ? "soak.json" : "soak-smoke.json"), `${JSON.stringify(result, null, 1)}\n`);
  if (toDocs) {
    writeFileSync(join(ROOT, "docs", "reliability-soak.svg"), svg);
    writeReliabilityDoc();
    console.log(`\nWrote docs/reliability.md, docs/reliability-soak.svg and reliability/results/soak.json.`);
  } else {
    writeFileSync(join(directory, "reliability-soak.svg"), svg);
    console.log(`\nSmoke run: docs untouched; the result and chart are in ${directory}`);
  }
  process.exitCode = result.lostByReadingClients === 0 && result.memory.flat ? 0 : 1;
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  logs.stop();
  await server.stop("SIGKILL");
  await Promise.all([clientsChild.stop(1_000), triggersChild.stop(1_000)]);
}

function summarise(triggerReports: StreamReport[], clients: ClientsReport, runSeconds: number): SoakResult {
  const rss = memoryFigures(samples, warmUpS, (s) => s.rss);
  const heapUsed = memoryFigures(samples, warmUpS, (s) => s.heapUsed);
  const flat = rss.flat && heapUsed.flat;
  const reason = rss.reason ?? heapUsed.reason;
  const latencies = [...clients.requests.latenciesMs].sort((a, b) => a - b);
  const lostByReadingClients = Object.values(clients.ledgers).reduce((sum, byKind) => sum + byKind.reading.holes, 0);
  const { latenciesMs: _dropped, ...requests } = clients.requests;
  return {
    command,
    date: new Date(started).toISOString().replace("T", " ").slice(0, 16) + " UTC",
    machine: machine(),
    versions: ["next", "ws", "ioredis", "prom-client"].map((name) => `${name} ${packageVersion(name)}`).join(", "),
    loadStart,
    loadEnd: machineLoad().uptime,
    durationS: runSeconds,
    warmUpS,
    settings: { ...settings, env: { ...env, SECRET_KEY: "(set)", EVENTS_METRICS_TOKEN: "(random)", NODE_OPTIONS: "--inspect=127.0.0.1:0 --expose-gc" } },
    queryAvailable,
    samples,
    memory: { rss, heapUsed, flat, ...(reason ? { reason } : {}) },
    triggers: triggerReports.map(({ latenciesMs, ...stream }) => {
      const sorted = [...latenciesMs].sort((a, b) => a - b);
      const seconds = Math.max(0.001, (stream.lastAckAt - stream.firstAckAt) / 1_000);
      return { ...stream, p50: percentile(sorted, 50), p99: percentile(sorted, 99), perSecond: stream.acked / seconds };
    }),
    clients: { ...clients, requests: { ...requests, p50: percentile(latencies, 50), p99: percentile(latencies, 99) } },
    serverLog: logs.summary(),
    serverLines: logs.lines,
    serverExit,
    metricsEnd: eventCounters(lastMetrics),
    lostByReadingClients,
  };
}

function memoryChart(result: SoakResult) {
  const points = (pick: (s: MemorySample) => number) => result.samples.filter((s) => !s.afterGc && Number.isFinite(pick(s))).map((s) => ({ x: s.t / 60, y: pick(s) / MB }));
  return {
    title: `Server memory during the soak (${result.date}, ${(result.durationS / 60).toFixed(1)} min)`,
    xLabel: "minutes since the load started",
    yLabel: "MB",
    warmUpUntil: result.warmUpS / 60,
    series: [
      { label: "RSS", colour: "#0969da", points: points((s) => s.rss) },
      { label: "heap total", colour: "#8250df", points: points((s) => s.heapTotal), dashed: true },
      { label: "heap used", colour: "#1a7f37", points: points((s) => s.heapUsed) },
      { label: "external", colour: "#bc4c00", points: points((s) => s.external), dashed: true },
      { label: "heap used right after a forced full GC", colour: "#cf222e", points: result.samples.filter((s) => s.afterGc).map((s) => ({ x: s.t / 60, y: s.heapUsed / MB })), dots: true },
      { label: "RSS then", colour: "#0969da", points: result.samples.filter((s) => s.afterGc).map((s) => ({ x: s.t / 60, y: s.rss / MB })), dots: true },
    ],
  };
}

function printSummary(result: SoakResult): void {
  const { memory, clients } = result;
  const line = (label: string, value: string) => console.log(`  ${label.padEnd(34)} ${value}`);
  console.log(`\n=== Soak: ${result.command}, ${(result.durationS / 60).toFixed(1)} min ===`);
  for (const [name, figures] of [["RSS", memory.rss], ["heap used", memory.heapUsed]] as const) {
    line(name, `start ${mb(figures.start)}, after warm-up ${mb(figures.afterWarmUp)}, end ${mb(figures.end)}, max ${mb(figures.max)}, slope after warm-up ${perMinute(figures.slopeMbPerMin)}`);
    line(`${name} after forced GCs`, `${figures.gcSamples} samples after warm-up: first ${mb(figures.gcFirst)}, last ${mb(figures.gcLast)}, slope ${perMinute(figures.gcSlopeMbPerMin)}`);
  }
  line("memory flat after warm-up", memory.flat ? "yes" : memory.reason ? `NO (${memory.reason})` : "NO");
  for (const stream of result.triggers) {
    line(`triggers ${stream.event}`, `${stream.acked} acked (${stream.perSecond.toFixed(0)}/s of ${stream.target}/s), failed ${formatCounts(stream.failed)}, skipped ${stream.skipped}, ack p50 ${stream.p50.toFixed(1)} ms p99 ${stream.p99.toFixed(1)} ms`);
  }
  for (const [event, byKind] of Object.entries(clients.ledgers)) {
    for (const kind of ["reading", "slow"] as const) {
      const totals = byKind[kind];
      line(`${event}, ${kind} sessions`, `${totals.sessions} sessions, owed ${totals.owed}, received ${totals.received}, missing ${totals.holes}, gaps ${totals.gaps} (missed ${totals.gapMissed}${totals.gapUnknown ? `, ${totals.gapUnknown} unknown` : ""}), silent ${totals.silent}, over-announced ${totals.overReported}, dup ${totals.duplicates}`);
    }
  }
  line("lost by clients that kept reading", String(result.lostByReadingClients));
  line("connections made", `${clients.connections} (failures: ${formatCounts(clients.connectFailures)}; unexpected closes: ${formatCounts(clients.unexpectedCloses)})`);
  line("requests", `${clients.requests.ok} ok of ${clients.requests.sent}, failed ${formatCounts(clients.requests.failed)}, p50 ${clients.requests.p50.toFixed(1)} ms p99 ${clients.requests.p99.toFixed(1)} ms`);
  line("fuzzer", `${clients.fuzz.frames} frames on ${clients.fuzz.connections} connections; closes ${formatCounts(clients.fuzz.closes)}`);
  line("server log (warn/error)", result.serverLog.map((entry) => `${entry.level} ×${entry.count}: ${entry.message}`).join("; ") || "none");
  line("server exit (SIGTERM)", String(result.serverExit));
}

function perMinute(mbPerMin: number): string {
  return Number.isFinite(mbPerMin) ? `${mbPerMin.toFixed(2)} MB/min` : "– (too few samples)";
}
