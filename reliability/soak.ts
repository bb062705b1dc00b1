/**
 * `npm run soak`: the production server under churn, a steady trigger stream, slow clients,
 * requests in flight and a fuzzer, for a bounded time. Not part of `npm test`.
 *
 *   npm run soak                      10 minutes; writes docs/reliability.md (soak section) and docs/reliability-soak.svg
 *   npm run soak -- --minutes 0.5     a smoke run (report printed and written to a temporary folder, docs untouched)
 *   npm run soak -- --minutes 3 --write   a shorter run that still writes docs/
 *   npm run soak -- --redis           the same on two instances sharing a private Redis (results/soak-redis.json,
 *                                     its own subsection of docs/reliability.md, docs/reliability-soak-redis.svg)
 *
 * Other flags: --clients N (1000), --stream-clients N (40), --rate N (trigger rate of the fast
 * stream, 1000/s), --wide-rate N (20/s), --slow F (share of slow sessions, 0.1), --requests N (20),
 * --fuzz-rate N (frames/s, 20), --sample-seconds N (5).
 *
 * Server: server.ts against the production build (test/support/app-server.ts), in its own process
 * group (soak-servers.ts). Load: two child processes (soak-clients.ts, soak-triggers.ts). With
 * --redis: a private redis-server on a free port and instances A (REPORTS_WORKER=1, the only one
 * answering `report:summary`) and B on it; the churning clients, the request connections and the
 * trigger connections alternate between them, so that most deliveries cross instances, and both
 * are sampled and judged. Needs `npm run build` first (and redis-server for --redis).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { percentile } from "../bench/stats";
import { startTestRedis, type TestRedis } from "../test/support/redis-server";
import { startChild } from "./child";
import { SECRET_KEY, machine, machineLoad, mb, metricsToken, packageVersion, parseFlags, redisServerVersion, requireBuild, ROOT, sleep, type RunHeader } from "./common";
import { writeReliabilityDoc } from "./report";
import type { ClientsConfig, ClientsReport } from "./soak-clients";
import { SoakServer, type MemorySample, type ServerRun, type SoakMemory } from "./soak-servers";
import type { StreamReport, TriggersConfig } from "./soak-triggers";
import { memoryChart, printSummary } from "./soak-summary";
import { lineChartSvg } from "./svg";
import { WireClient } from "./wire-client";

export type { MemorySample } from "./soak-servers";

const USAGE = "usage: npm run soak [-- --minutes N] [--redis] [--write] [--clients N] [--stream-clients N] [--rate N] [--wide-rate N] [--slow F] [--requests N] [--fuzz-rate N] [--sample-seconds N]";

/** What the plain soak and the one on Redis share. */
export interface SoakRun extends RunHeader {
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
  triggers: (Omit<StreamReport, "latenciesMs"> & { p50: number; p99: number; perSecond: number })[];
  clients: Omit<ClientsReport, "requests"> & { requests: Omit<ClientsReport["requests"], "latenciesMs"> & { p50: number; p99: number } };
  lostByReadingClients: number;
}

/** The plain soak (reliability/results/soak.json): one server, its figures at the top level. */
export interface SoakResult extends SoakRun {
  samples: MemorySample[];
  memory: SoakMemory;
  serverLog: { level: string; message: string; count: number }[];
  serverLines: number;
  serverExit: number | null;
  metricsEnd: { series: string; value: number }[];
}

/** The soak on Redis (reliability/results/soak-redis.json): two instances, each with its figures. */
export interface SoakRedisResult extends SoakRun {
  redis: { version: string };
  servers: ServerRun[];
  /** Every instance's memory flat after warm-up. */
  memoryFlat: boolean;
}

const flags = parseFlags(
  process.argv.slice(2),
  { minutes: "number", redis: "boolean", write: "boolean", clients: "number", "stream-clients": "number", rate: "number", "wide-rate": "number", slow: "number", requests: "number", "fuzz-rate": "number", "sample-seconds": "number" },
  USAGE,
);
requireBuild();

const onRedis = flags.redis === true;
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
console.log(`Soak${onRedis ? " on Redis, two instances" : ""}: ${minutes} min — ${machine()}\n  ${loadStart}`);
const token = metricsToken();
const env: Record<string, string> = {
  SECRET_KEY,
  EVENTS_RATE_LIMIT: "100000",
  // Every simulated client comes from 127.0.0.1: the per-address limits would refuse all but a few.
  EVENTS_RATE_LIMIT_PER_IP: "1000000",
  EVENTS_MAX_CONNECTIONS_PER_IP: "100000",
  EVENTS_METRICS_TOKEN: token,
  // On Redis only instance A is a report worker (B's requests are answered by A, through Redis).
  ...(onRedis ? {} : { REPORTS_WORKER: "1" }),
  // The inspector (on 127.0.0.1, a free port) lets the soak force a full collection now and then
  // and read the live heap: V8's own heap is a sawtooth that hides a slow leak.
  NODE_OPTIONS: [process.env.NODE_OPTIONS, "--inspect=127.0.0.1:0 --expose-gc"].filter(Boolean).join(" "),
};
const servers: SoakServer[] = [];
let redis: TestRedis | undefined;
try {
  if (onRedis) {
    redis = await startTestRedis();
    env.EVENTS_REDIS_URL = redis.url;
    console.log(`  private redis-server ${redisServerVersion()} on port ${redis.port}`);
    // One SQLite file, as in a deployment (the soak's handlers only read it).
    const databasePath = join(mkdtempSync(join(tmpdir(), "wf-soak-db-")), "app.db");
    servers.push(await SoakServer.start("A", env, { REPORTS_WORKER: "1" }, databasePath));
    servers.push(await SoakServer.start("B", env, {}, databasePath));
  } else {
    servers.push(await SoakServer.start("server", env));
  }
} catch (error) {
  console.error(error);
  await Promise.all(servers.map((server) => server.kill()));
  await redis?.stop();
  process.exit(1);
}
for (const server of servers) {
  const which = onRedis ? `instance ${server.label}` : "the server";
  if (!server.inspector) console.warn(`  WARNING: no inspector on ${which}: the memory verdict uses the plain samples`);
}
const gcEveryMs = 30_000;
const wsUrls = servers.map((server) => server.wsUrl);
for (const server of servers) {
  const extra = Object.entries(server.env).map(([key, value]) => `, ${key}=${value}`).join("");
  console.log(`  ${server.label} ${server.url} (pid ${server.server.process.pid}${extra}), log lines collected and counted by level`);
}

// What the app declares: the run needs both events, and says so when the query is missing.
const probe = new WireClient(wsUrls[0]!);
await probe.opened;
const described = await probe.op({ type: "describe" });
probe.close();
const names = (list: unknown) => ((list as { name: string }[] | undefined) ?? []).map((entry) => entry.name);
for (const event of [settings.wideEvent, settings.streamEvent]) {
  if (!names(described.events).includes(event)) {
    console.error(`The app does not declare the public event "${event}" (describe: ${names(described.events).join(", ")}): the soak needs it.`);
    await Promise.all(servers.map((server) => server.kill()));
    await redis?.stop();
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
const started = Date.now();

const clientsConfig: ClientsConfig = {
  urls: wsUrls,
  // Two instances deliver a name's events from two sockets (their own publish's reply, the other's pub/sub message).
  reorderable: onRedis,
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
  urls: wsUrls,
  monitorSecret: SECRET_KEY,
  streams: [
    // ~1 KB events: a client that stops reading fills the kernel's buffers (several MB on loopback) within seconds.
    { event: settings.streamEvent, perSecond: settings.rate, connections: 2, pad: 950 },
    // On Redis, one trigger connection per instance for this stream too.
    { event: settings.wideEvent, perSecond: settings.wideRate, connections: servers.length, pad: 20 },
  ],
};

const sampleAll = () => Promise.all(servers.map((server) => server.sample(token, (Date.now() - started) / 1_000)));

try {
  await sampleAll();
  await clientsChild.call("start", clientsConfig);
  await triggersChild.call("start", triggersConfig);
  let nextProgress = started + 30_000;
  let nextGc = started + gcEveryMs;
  while (Date.now() - started < durationMs) {
    await sleep(Math.min(sampleMs, durationMs - (Date.now() - started)));
    await sampleAll();
    if (Date.now() >= nextGc) {
      nextGc += gcEveryMs;
      const t = (Date.now() - started) / 1_000;
      // One at a time: a full collection stops that process for a while.
      for (const server of servers) await server.sampleAfterGc(t);
    }
    if (Date.now() >= nextProgress) {
      nextProgress += 30_000;
      const [clients, triggers] = await Promise.all([clientsChild.call<ClientsReport>("progress"), triggersChild.call<StreamReport[]>("progress")]);
      const reading = clients.ledgers[settings.streamEvent]?.reading;
      const memory = servers.map((server) => `${onRedis ? `${server.label}: ` : ""}RSS ${mb(server.last?.rss)}, heap ${mb(server.last?.heapUsed)}, ${server.last?.connections} connections`).join("; ");
      console.log(
        `  ${((Date.now() - started) / 1_000).toFixed(0)} s: ${memory}; ` +
          `acked ${triggers.map((stream) => `${stream.event} ${stream.acked}`).join(", ")}; sessions ${clients.connections}; ` +
          `reading holes ${reading?.holes ?? 0}; requests ok ${clients.requests.ok}`,
      );
    }
  }
  console.log("  stopping the triggers, then settling every client session…");
  const triggerReports = await triggersChild.call<StreamReport[]>("stop", {}, 60_000);
  const clientsReport = await clientsChild.call<ClientsReport>("stop", {}, 120_000);
  await sampleAll();
  const runSeconds = (Date.now() - started) / 1_000;
  for (const server of servers) await server.stop();
  await Promise.all([clientsChild.stop(), triggersChild.stop()]);

  const run = summarise(triggerReports, clientsReport, runSeconds);
  const name = onRedis ? "soak-redis" : "soak";
  const directory = toDocs ? join(ROOT, "reliability", "results") : mkdtempSync(join(tmpdir(), "wf-soak-"));
  mkdirSync(directory, { recursive: true });
  const serverRuns = servers.map((server) => server.result(warmUpS));
  let result: SoakResult | SoakRedisResult;
  if (onRedis) {
    result = { ...run, redis: { version: redisServerVersion() }, servers: serverRuns, memoryFlat: serverRuns.every((server) => server.memory.flat) };
  } else {
    const { label: _label, env: _env, ...only } = serverRuns[0]!;
    result = { ...run, ...only };
  }
  printSummary(result);
  const svg = lineChartSvg(memoryChart(result));
  writeFileSync(join(directory, toDocs ? `${name}.json` : `${name}-smoke.json`), `${JSON.stringify(result, null, 1)}\n`);
  if (toDocs) {
    writeFileSync(join(ROOT, "docs", `reliability-${name}.svg`), svg);
    writeReliabilityDoc();
    console.log(`\nWrote docs/reliability.md, docs/reliability-${name}.svg and reliability/results/${name}.json.`);
  } else {
    writeFileSync(join(directory, `reliability-${name}.svg`), svg);
    console.log(`\nSmoke run: docs untouched; the result and chart are in ${directory}`);
  }
  process.exitCode = result.lostByReadingClients === 0 && memoryFlat(result) ? 0 : 1;
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await Promise.all(servers.map((server) => server.kill()));
  await redis?.stop();
  await Promise.all([clientsChild.stop(1_000), triggersChild.stop(1_000)]);
}

function memoryFlat(result: SoakResult | SoakRedisResult): boolean {
  return "servers" in result ? result.memoryFlat : result.memory.flat;
}

function summarise(triggerReports: StreamReport[], clients: ClientsReport, runSeconds: number): SoakRun {
  const latencies = [...clients.requests.latenciesMs].sort((a, b) => a - b);
  const lostByReadingClients = Object.values(clients.ledgers).reduce((sum, byKind) => sum + byKind.reading.holes, 0);
  const { latenciesMs: _dropped, ...requests } = clients.requests;
  const shownEnv: Record<string, string> = { ...env, SECRET_KEY: "(set)", EVENTS_METRICS_TOKEN: "(random)", NODE_OPTIONS: "--inspect=127.0.0.1:0 --expose-gc" };
  if (onRedis) shownEnv.EVENTS_REDIS_URL = "(a private redis-server on a free port)";
  return {
    command,
    date: new Date(started).toISOString().replace("T", " ").slice(0, 16) + " UTC",
    machine: machine(),
    versions: ["next", "ws", "ioredis", "prom-client"].map((name) => `${name} ${packageVersion(name)}`).join(", ") + (onRedis ? `, redis-server ${redisServerVersion()}` : ""),
    loadStart,
    loadEnd: machineLoad().uptime,
    durationS: runSeconds,
    warmUpS,
    settings: { ...settings, env: shownEnv },
    queryAvailable,
    triggers: triggerReports.map(({ latenciesMs, ...stream }) => {
      const sorted = [...latenciesMs].sort((a, b) => a - b);
      const seconds = Math.max(0.001, (stream.lastAckAt - stream.firstAckAt) / 1_000);
      return { ...stream, p50: percentile(sorted, 50), p99: percentile(sorted, 99), perSecond: stream.acked / seconds };
    }),
    clients: { ...clients, requests: { ...requests, p50: percentile(latencies, 50), p99: percentile(latencies, 99) } },
    lostByReadingClients,
  };
}
