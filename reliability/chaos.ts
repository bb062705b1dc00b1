/**
 * `npm run chaos`: faults under load against the production server, each bounded in time.
 *
 *   npm run chaos                          every scenario; writes docs/reliability.md (chaos section)
 *   npm run chaos -- --only kill,redis     some of them (results to a temporary folder, docs untouched)
 *   npm run chaos -- --only kill --write   …and still write docs/ (its scenarios replace those of
 *                                          the same name in reliability/results/chaos.json)
 *
 * Scenarios: kill (SIGKILL + restart, no Redis), kill-redis (SIGKILL + restart of one of two
 * instances on Redis), term (SIGTERM under load, restart), redis (Redis killed and restarted under
 * two instances), cut (a client's network cut and refused for a few seconds), rolling (a rolling
 * restart behind nginx: two instances on Redis restarted one at a time with SIGTERM while 200
 * readers and the load go through deploy/nginx.conf over TLS), failover (the Redis primary killed
 * under two instances that reach it through Sentinel; a replica is promoted).
 *
 * In every scenario: readers (EventManagers subscribed to `model:created`), a steady trigger stream
 * (protocol `trigger`, every acked id recorded) and requests in flight (`report:summary`). The
 * verdict per reader: every acked id was received or is covered by a gap whose window holds it
 * (verdict.ts: a gap covers only the loss it answers, not every earlier one).
 * Needs `npm run build` first, and redis-server for the Redis scenarios.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median } from "../bench/stats";
import { startAppServer, type AppServer } from "../test/support/app-server";
import { selfSignedCertificate, startNginx, type Nginx } from "../test/support/nginx";
import { startTestRedis, type TestRedis } from "../test/support/redis-server";
import { startTcpProxy, type TcpProxy } from "../test/support/tcp-proxy";
import { startSentinelGroup, type SentinelGroup } from "../test/support/sentinel-group";
import { Reader, Requester, Triggerer, trustCertificate, type RequestPlan } from "./chaos-clients";
import { eventCounters, formatCounts, LogWatch, machine, machineLoad, metricsToken, packageVersion, parseFlags, redisServerVersion, requireBuild, ROOT, scrapeMetrics, SECRET_KEY, sleep, waitForBuild, type RunHeader } from "./common";
import { CHAOS_SCENARIOS, type ChaosScenarioKey } from "./chaos-scenarios";
import { int } from "./markdown";
import { writeReliabilityDoc } from "./report";
import { disconnections } from "./disconnections";
import { judge, type Acked, type Verdict } from "./verdict";
import { WireClient } from "./wire-client";

const SCENARIOS = CHAOS_SCENARIOS;
type ScenarioKey = ChaosScenarioKey;
const USAGE = `usage: npm run chaos [-- --only ${SCENARIOS.join(",")}] [--write] [--rate N] [--readers N]`;

const EVENT = "model:created";
const QUERY = "report:summary";

export interface GroupResult {
  group: string;
  readers: number;
  /** Acked events each reader was owed. */
  expectedEach: number;
  received: number;
  missing: number;
  replayed: number;
  duplicatesDropped: number;
  gaps: number;
  gapsUnknown: number;
  gapMissed: number;
  gapReasons: Record<string, number>;
  recovered: number;
  notRecovered: number;
  coveredByUnknownGap: number;
  coveredByCountedGap: number;
  silent: number;
  unacked: number;
  overReported: number;
  /** How each reader's connection ended at the fault (the first close after it). */
  closeCodes: Record<string, number>;
  /** Reconnect attempts that failed before the readers were back. */
  failedAttempts: number;
  /** ms from the fault to being connected again, per reader that lost its connection. */
  reconnectMs: { p50: number; max: number } | undefined;
  silentSamples: { reader: string; ids: Acked[] }[];
  /** Silent losses by history (epoch) of their ids, over the group. */
  silentByHistory: Record<string, number>;
}

export interface ScenarioResult {
  key: ScenarioKey;
  title: string;
  fault: string;
  expectation: string;
  durationS: number;
  timeline: { t: number; what: string }[];
  groups: GroupResult[];
  triggers: { label: string; sent: number; acked: number; failures: Record<string, number> }[];
  requests: { label: string; total: Record<string, number>; failedAroundFault: Record<string, number> }[];
  servers: { label: string; exit: number | null | "killed"; counters: { series: string; value: number }[] }[];
  log: { level: string; message: string; count: number }[];
  observations: string[];
  silent: number;
  error?: string;
  /** Set when the scenario was run on its own (`--only … --write`) and merged into the full run's results. */
  run?: Pick<RunHeader, "command" | "date" | "loadStart"> & Partial<Pick<RunHeader, "loadEnd" | "durationS">>;
}

interface ScenarioMeta {
  title: string;
  fault: string;
  expectation: string;
  groups: string[];
}

export interface ChaosResult extends RunHeader {
  settings: { readers: number; rate: number; env: Record<string, string>; requestSlots: number; query: string; requestsAsMonitor: boolean };
  scenarios: ScenarioResult[];
}

const flags = parseFlags(process.argv.slice(2), { only: "string", write: "boolean", rate: "number", readers: "number" }, USAGE);
requireBuild();
const only = flags.only === undefined ? [...SCENARIOS] : String(flags.only).split(",").map((name) => name.trim());
const unknown = only.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
if (unknown.length) {
  console.error(`--only: unknown scenario(s) ${unknown.join(", ")}; known: ${SCENARIOS.join(", ")}`);
  process.exit(2);
}
const full = only.length === SCENARIOS.length;
const toDocs = (full && flags.rate === undefined && flags.readers === undefined) || flags.write === true;
const rate = (flags.rate as number | undefined) ?? 100;
const readersPerScenario = (flags.readers as number | undefined) ?? 20;
/** The rolling restart's readers: a deploy is judged with a crowd behind the proxy. */
const rollingReaders = (flags.readers as number | undefined) ?? 200;
const requestSlots = 10;
const token = metricsToken();
const baseEnv: Record<string, string> = {
  SECRET_KEY,
  EVENTS_RATE_LIMIT: "100000",
  // Every simulated client comes from 127.0.0.1: the per-address limits would refuse all but a few.
  EVENTS_RATE_LIMIT_PER_IP: "1000000",
  EVENTS_MAX_CONNECTIONS_PER_IP: "100000",
  // Enough history that a few seconds of outage at this rate can be replayed in full.
  EVENTS_HISTORY_SIZE: "10000",
  EVENTS_METRICS_TOKEN: token,
  REPORTS_WORKER: "1",
};
const command = `npm run chaos${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;

// ── one scenario's moving parts ────────────────────────────────────────────

class Scenario {
  readonly started = Date.now();
  readonly timeline: { t: number; what: string }[] = [];
  readonly readers: Reader[] = [];
  readonly triggers: Triggerer[] = [];
  readonly requesters: Requester[] = [];
  readonly servers = new Map<string, AppServer>();
  /** Every server process of the scenario, in order, with how it ended and its counters at the end. */
  readonly records: ScenarioResult["servers"] = [];
  readonly logs = new LogWatch();
  readonly observations: string[] = [];
  redis: TestRedis | undefined;
  sentinels: SentinelGroup | undefined;
  proxy: TcpProxy | undefined;
  nginx: Nginx | undefined;
  tlsDir: string | undefined;
  faultAt = 0;
  /** When there are several faults (a rolling restart), each one's time; a reader's reconnect counts from the last before it lost its connection. */
  readonly faults: number[] = [];
  recoveredAt = 0;

  note(what: string): void {
    const t = (Date.now() - this.started) / 1_000;
    this.timeline.push({ t, what });
    console.log(`    ${t.toFixed(1).padStart(5)} s  ${what}`);
  }

  async server(label: string, env: Record<string, string> = {}): Promise<AppServer> {
    await waitForBuild();
    const server = await startAppServer({ env: { ...baseEnv, ...env }, timeoutMs: 120_000 });
    this.servers.set(label, server);
    this.logs.watch(server, label);
    this.note(`${label} ready on port ${server.port}`);
    await checkQuery(server);
    return server;
  }

  async readersOn(url: string, group: string, count: number): Promise<Reader[]> {
    const made = Array.from({ length: count }, (_, index) => new Reader(url, EVENT, group, `${group}-${index}`));
    this.readers.push(...made);
    await Promise.all(made.map((reader) => reader.subscribe()));
    return made;
  }

  startLoad(): void {
    for (const trigger of this.triggers) trigger.start();
    for (const requester of this.requesters) requester.start();
    this.note(`load: ${this.triggers.map((t) => `${t.perSecond}/s triggers via ${t.label}`).join(", ")}; ${this.requesters.map((r) => `${r.slots} requests in flight via ${r.label}`).join(", ")}`);
  }

  /** Waits until every reader is connected again after the fault. */
  async reconnected(timeoutMs = 45_000): Promise<void> {
    const back = (reader: Reader) => {
      const since = reader.states.filter((change) => change.at >= this.faultAt);
      return reader.connected && (since.length === 0 || since.at(-1)!.state === "connected");
    };
    await waitFor(() => this.readers.every(back), timeoutMs);
    this.recoveredAt = Date.now();
    this.note("every reader connected");
  }

  async stopLoad(): Promise<void> {
    await Promise.all([...this.triggers.map((trigger) => trigger.stop()), ...this.requesters.map((requester) => requester.stop())]);
    // The last events: wait until nothing more arrives for a second (at most 10 s).
    let last = -1;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const total = this.readers.reduce((sum, reader) => sum + reader.received.size, 0);
      if (total === last) break;
      last = total;
      await sleep(1_000);
    }
    this.note("load stopped, last events in");
  }

  /** Stops a server of the scenario with `signal`; returns its exit code. */
  async stopServer(label: string, signal: NodeJS.Signals): Promise<number | null> {
    const server = this.servers.get(label)!;
    this.servers.delete(label);
    const code = await server.stop(signal);
    this.records.push({ label, exit: signal === "SIGKILL" ? "killed" : code, counters: [] });
    return code;
  }

  async close(): Promise<void> {
    for (const client of [...this.readers, ...this.triggers, ...this.requesters]) client.close();
    for (const [label, server] of this.servers) {
      const counters = eventCounters(await scrapeMetrics(server.url, token)).filter((entry) => /recoveries|gaps|drops|connections_accepted|upgrades_refused|adapter_up|slow_consumer|cluster_instances/.test(entry.series));
      this.records.push({ label, exit: await server.stop("SIGTERM"), counters });
    }
    this.servers.clear();
    await this.proxy?.close();
    await this.nginx?.stop();
    if (this.tlsDir) rmSync(this.tlsDir, { recursive: true, force: true });
    await this.redis?.stop();
    await this.sentinels?.stop();
    this.logs.stop();
  }

  result(key: ScenarioKey, { title, fault, expectation, groups }: ScenarioMeta): ScenarioResult {
    const acked = this.triggers.flatMap((trigger) => trigger.acked);
    const groupResults = groups.map((group) => groupResult(group, this.readers.filter((reader) => reader.group === group), acked, this.faults.length ? this.faults : [this.faultAt]));
    return {
      key,
      title,
      fault,
      expectation,
      durationS: (Date.now() - this.started) / 1_000,
      timeline: [...this.timeline, ...this.logs.notable.map((line) => ({ t: (line.at - this.started) / 1_000, what: `${line.server} logs "${line.message}"` }))].sort((a, b) => a.t - b.t),
      groups: groupResults,
      triggers: this.triggers.map((trigger) => ({ label: trigger.label, sent: trigger.sent, acked: trigger.acked.length, failures: trigger.failures })),
      requests: this.requesters.map((requester) => ({
        label: requester.label,
        total: requester.counts(),
        failedAroundFault: Object.fromEntries(Object.entries(requester.counts(this.faultAt - 5_000, (this.recoveredAt || Date.now()) + 1_000)).filter(([outcome]) => outcome !== "ok")),
      })),
      servers: this.records,
      log: this.logs.summary(),
      observations: this.observations,
      silent: groupResults.reduce((sum, group) => sum + group.silent, 0),
    };
  }
}

function groupResult(group: string, readers: Reader[], acked: Acked[], faults: number[]): GroupResult {
  const faultAt = faults[0]!;
  const verdicts: [Reader, Verdict][] = readers.map((reader) => [reader, judge(acked, reader.log)]);
  const sum = (pick: (verdict: Verdict) => number) => verdicts.reduce((total, [, verdict]) => total + pick(verdict), 0);
  const gapReasons: Record<string, number> = {};
  const closeCodes: Record<string, number> = {};
  let failedAttempts = 0;
  const reconnects: number[] = [];
  for (const reader of readers) {
    for (const gap of reader.gaps) gapReasons[gap.reason] = (gapReasons[gap.reason] ?? 0) + 1;
    const closes = reader.states.filter((change) => change.at >= faultAt && change.state === "reconnecting");
    if (closes[0]) closeCodes[String(closes[0].closeCode ?? closes[0].reason)] = (closeCodes[String(closes[0].closeCode ?? closes[0].reason)] ?? 0) + 1;
    // A `reconnecting` right after another one is an attempt that failed.
    const since = reader.states.filter((change) => change.at >= faultAt);
    failedAttempts += since.filter((change, index) => change.state === "reconnecting" && since[index - 1]?.state === "reconnecting").length;
    const lost = since.find((change) => change.state === "reconnecting");
    const back = lost && since.find((change) => change.at >= lost.at && change.state === "connected");
    const fault = lost && faults.filter((at) => at <= lost.at).at(-1);
    if (lost && back && fault !== undefined) reconnects.push(back.at - fault);
  }
  return {
    group,
    readers: readers.length,
    expectedEach: acked.length,
    received: sum((v) => v.received),
    missing: sum((v) => v.missing),
    replayed: readers.reduce((total, reader) => total + reader.replayed, 0),
    duplicatesDropped: readers.reduce((total, reader) => total + Math.max(0, reader.wireEvents - reader.received.size), 0),
    gaps: readers.reduce((total, reader) => total + reader.gaps.length, 0),
    gapsUnknown: readers.reduce((total, reader) => total + reader.gaps.filter((gap) => gap.missed === null).length, 0),
    gapMissed: readers.reduce((total, reader) => total + reader.gaps.reduce((n, gap) => n + (gap.missed ?? 0), 0), 0),
    gapReasons,
    recovered: readers.reduce((total, reader) => total + reader.resubscribes.filter((r) => r.recovered).length, 0),
    notRecovered: readers.reduce((total, reader) => total + reader.resubscribes.filter((r) => !r.recovered).length, 0),
    coveredByUnknownGap: sum((v) => v.coveredByUnknownGap),
    coveredByCountedGap: sum((v) => v.coveredByCountedGap),
    silent: sum((v) => v.silent),
    unacked: sum((v) => v.unacked),
    overReported: sum((v) => v.overReported),
    closeCodes,
    failedAttempts,
    reconnectMs: reconnects.length ? { p50: median(reconnects), max: Math.max(...reconnects) } : undefined,
    silentByHistory: verdicts.reduce<Record<string, number>>((all, [, verdict]) => {
      for (const [history, count] of Object.entries(verdict.silentByHistory)) all[history] = (all[history] ?? 0) + count;
      return all;
    }, {}),
    silentSamples: verdicts.filter(([, verdict]) => verdict.silent > 0).slice(0, 3).map(([reader, verdict]) => ({ reader: reader.label, ids: verdict.silentIds })),
  };
}

/** What the requests ask: `report:summary` when the build declares it, else `model:count` from a monitor session. */
let requestPlan: RequestPlan | undefined;

async function checkQuery(server: AppServer): Promise<void> {
  if (requestPlan) return;
  const probe = new WireClient(server.url.replace(/^http/, "ws"));
  await probe.opened;
  const described = await probe.op({ type: "describe" });
  probe.close();
  const queries = ((described.queries as { name: string }[] | undefined) ?? []).map((query) => query.name);
  if (queries.includes(QUERY)) {
    requestPlan = { query: QUERY };
  } else {
    console.warn(`    WARNING: "${QUERY}" is not a public query of this build (describe lists: ${queries.join(", ") || "none"}): requests ask the internal "model:count" as a monitor session instead.`);
    requestPlan = { query: "model:count", monitorSecret: SECRET_KEY };
  }
}

function requester(url: string, slots: number, label: string): Requester {
  return new Requester(url, requestPlan!, slots, label);
}

async function waitFor(predicate: () => boolean, timeoutMs: number, stepMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await sleep(stepMs);
  }
}

async function readyz(server: AppServer): Promise<{ status: number; body: string }> {
  try {
    const response = await fetch(`${server.url}/readyz`, { signal: AbortSignal.timeout(3_000) });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    return { status: 0, body: String(error) };
  }
}

// ── the scenarios ──────────────────────────────────────────────────────────

async function killWithoutRedis(s: Scenario): Promise<ScenarioMeta> {
  const server = await s.server("server");
  await s.readersOn(server.url, "readers", readersPerScenario);
  s.triggers.push(new Triggerer(server.url, EVENT, rate, "trigger client", SECRET_KEY));
  s.requesters.push(requester(server.url, requestSlots, "request client"));
  s.startLoad();
  await sleep(3_000);
  s.faultAt = Date.now();
  await s.stopServer("server", "SIGKILL");
  s.note("server killed (SIGKILL)");
  await s.server("server (restarted)", { PORT: String(server.port) });
  await s.reconnected();
  await sleep(4_000);
  await s.stopLoad();
  return {
    title: "1. SIGKILL and restart, without Redis",
    fault: "The only server process is killed with SIGKILL under load and started again on the same port.",
    expectation: "Clients reconnect; their resubscribe answers `recovered: false` with a gap of `missed: null` (the history was in the dead process's memory); requests in flight fail with `disconnected`.",
    groups: ["readers"],
  };
}

/** A private Redis, instances A and B on it, half of the readers and half of the load on each. */
async function twoInstancesOnRedis(s: Scenario, readersOnA: string) {
  const redis = (s.redis = await startTestRedis());
  s.note(`test Redis on port ${redis.port}`);
  return { ...(await twoInstances(s, readersOnA, { EVENTS_REDIS_URL: redis.url })), redis };
}

/** Instances A and B sharing Redis as `env` says, half of the readers and half of the load on each. */
async function twoInstances(s: Scenario, readersOnA: string, env: Record<string, string>) {
  const a = await s.server("A", env);
  const b = await s.server("B", env);
  const half = Math.ceil(readersPerScenario / 2);
  await s.readersOn(a.url, readersOnA, half);
  await s.readersOn(b.url, "on B", readersPerScenario - half);
  s.triggers.push(new Triggerer(a.url, EVENT, rate / 2, "trigger client on A", SECRET_KEY), new Triggerer(b.url, EVENT, rate / 2, "trigger client on B", SECRET_KEY));
  s.requesters.push(requester(a.url, requestSlots / 2, "request client on A"), requester(b.url, requestSlots / 2, "request client on B"));
  return { a, b, env };
}

async function killWithRedis(s: Scenario): Promise<ScenarioMeta> {
  const { a, env } = await twoInstancesOnRedis(s, "on A (killed)");
  s.startLoad();
  await sleep(3_000);
  s.faultAt = Date.now();
  await s.stopServer("A", "SIGKILL");
  s.note("A killed (SIGKILL)");
  await s.server("A (restarted)", { ...env, PORT: String(a.port) });
  await s.reconnected();
  await sleep(4_000);
  await s.stopLoad();
  return {
    title: "2. SIGKILL and restart of one of two instances, with Redis",
    fault: "Two instances share one test Redis; instance A is killed with SIGKILL under load and started again on the same port.",
    expectation: "A's clients reconnect and recover everything from the Redis stream (`recovered: true`, no gap); B's clients see no interruption; requests in flight on A fail with `disconnected`.",
    groups: ["on A (killed)", "on B"],
  };
}

async function sigterm(s: Scenario): Promise<ScenarioMeta> {
  const server = await s.server("server");
  await s.readersOn(server.url, "readers", readersPerScenario);
  s.triggers.push(new Triggerer(server.url, EVENT, rate, "trigger client", SECRET_KEY));
  s.requesters.push(requester(server.url, requestSlots, "request client"));
  s.startLoad();
  await sleep(3_000);
  s.faultAt = Date.now();
  s.note("SIGTERM sent");
  const code = await s.stopServer("server", "SIGTERM");
  const exitedAt = Date.now();
  s.note(`server exited with code ${code}`);
  s.observations.push(`The server exited with code ${code}, ${((exitedAt - s.faultAt) / 1_000).toFixed(1)} s after SIGTERM.`);
  await s.server("server (restarted)", { PORT: String(server.port) });
  await s.reconnected();
  await sleep(4_000);
  await s.stopLoad();
  // What the drain did with the ops that were on their way: requests sent from a second before
  // SIGTERM until the exit, and triggers answered after SIGTERM.
  s.observations.push(`Requests sent from 1 s before SIGTERM until the exit: ${formatCounts(s.requesters[0]!.counts(s.faultAt - 1_000, exitedAt))}.`);
  const ackedDuringDrain = s.triggers[0]!.acked.filter((event) => event.at >= s.faultAt && event.at <= exitedAt).length;
  s.observations.push(`Triggers acked between SIGTERM and the exit: ${ackedDuringDrain}.`);
  return {
    title: "3. SIGTERM under load (graceful drain), then restart",
    fault: "The only server process gets SIGTERM under load (it drains: in-flight ops are answered, sockets closed with 1001) and is started again on the same port.",
    expectation: "Requests in flight are answered; clients see close code 1001, reconnect to the restarted server and get `recovered: false` + `missed: null` (a new in-memory history), but nothing acked before the shutdown is missing; exit code 0.",
    groups: ["readers"],
  };
}

async function redisOutage(s: Scenario): Promise<ScenarioMeta> {
  const { a, b, redis } = await twoInstancesOnRedis(s, "on A");
  s.startLoad();
  await sleep(3_000);
  s.faultAt = Date.now();
  await redis.stop();
  s.note("Redis killed (SIGKILL; it keeps nothing on disk)");
  await sleep(1_500);
  const during = await readyz(a);
  s.observations.push(`During the outage A's /readyz answered ${during.status}: \`${during.body.slice(0, 400)}\``);
  await sleep(2_500);
  await redis.start();
  s.note("Redis started again (empty)");
  const deadline = Date.now() + 20_000;
  let ready = false;
  while (!ready && Date.now() < deadline) {
    ready = (await readyz(a)).status === 200 && (await readyz(b)).status === 200;
    if (!ready) await sleep(200);
  }
  s.note(ready ? "A and B ready again (/readyz 200)" : "A or B not ready within 20 s");
  s.recoveredAt = Date.now();
  const dropped = s.readers.filter((reader) => reader.states.some((change) => change.at >= s.faultAt && change.state !== "connected")).length;
  s.observations.push(`${dropped} of ${s.readers.length} readers lost their WebSocket during the outage.`);
  await sleep(4_000);
  await s.stopLoad();
  return {
    title: "4. Redis killed and restarted under two instances",
    fault: "Two instances share one test Redis; Redis is killed (SIGKILL, no persistence) for 4 s under load, then started again empty.",
    expectation: "Each instance keeps delivering its own events to its own clients; the other instance's clients are told with a gap (when Redis is back); then everything resumes. No client connection drops.",
    groups: ["on A", "on B"],
  };
}

async function networkCut(s: Scenario): Promise<ScenarioMeta> {
  const server = await s.server("server");
  s.proxy = await startTcpProxy(server.port);
  const proxied = `http://127.0.0.1:${s.proxy.port}`;
  const half = Math.ceil(readersPerScenario / 2);
  await s.readersOn(proxied, "behind the cut proxy", half);
  await s.readersOn(server.url, "direct (control)", readersPerScenario - half);
  s.triggers.push(new Triggerer(server.url, EVENT, rate, "trigger client (direct)", SECRET_KEY));
  s.requesters.push(requester(proxied, requestSlots / 2, "request client behind the proxy"), requester(server.url, requestSlots / 2, "request client (direct)"));
  s.startLoad();
  await sleep(3_000);
  s.faultAt = Date.now();
  s.proxy.refuse(true);
  s.proxy.cut();
  s.note("network cut: every proxied connection destroyed, new ones refused");
  await sleep(3_000);
  s.proxy.refuse(false);
  s.note("network back");
  await s.reconnected();
  await sleep(4_000);
  await s.stopLoad();
  return {
    title: "5. A client's network cut mid-stream",
    fault: "Half of the readers and one request client reach the server through a TCP proxy; every proxied connection is destroyed and new ones refused for 3 s.",
    expectation: "The cut clients reconnect and resubscribe with `since`: `recovered: true`, every missed event replayed, no gap; requests in flight through the proxy fail with `disconnected`; the direct clients see nothing.",
    groups: ["behind the cut proxy", "direct (control)"],
  };
}

/**
 * A deploy: nginx (deploy/nginx.conf as shipped, TLS with a certificate made for the run) in front
 * of two instances on one Redis; every client goes through nginx; each instance in turn gets
 * SIGTERM, is started again on its port, and the next waits until every reader is back.
 */
async function rollingRestart(s: Scenario): Promise<ScenarioMeta> {
  const redis = (s.redis = await startTestRedis());
  s.note(`test Redis on port ${redis.port}`);
  const env = { EVENTS_REDIS_URL: redis.url, EVENTS_TRUST_PROXY: "1" };
  const instances = [
    { label: "A", port: (await s.server("A", env)).port },
    { label: "B", port: (await s.server("B", env)).port },
  ];
  s.tlsDir = mkdtempSync(join(tmpdir(), "wf-chaos-tls-"));
  const tls = selfSignedCertificate(s.tlsDir);
  trustCertificate(readFileSync(tls.cert, "utf8"));
  s.nginx = await startNginx([`127.0.0.1:${instances[0]!.port}`, `127.0.0.1:${instances[1]!.port}`], tls);
  const url = `https://localhost:${s.nginx.port}`;
  s.note(`nginx (deploy/nginx.conf) on ${url}`);
  const readers = await s.readersOn(url, "through nginx", rollingReaders);
  s.observations.push(`Readers per instance at the start: ${formatCounts(instanceCounts(readers))}.`);
  s.triggers.push(new Triggerer(url, EVENT, rate, "trigger client via nginx", SECRET_KEY));
  s.requesters.push(requester(url, requestSlots, "request client via nginx"));
  s.startLoad();
  const clientCpu = { usage: process.cpuUsage(), at: Date.now() };
  await sleep(3_000);
  s.faultAt = Date.now();
  for (const { label, port } of instances) {
    const stopping = Date.now();
    s.faults.push(stopping);
    s.note(`SIGTERM to ${label}`);
    const code = await s.stopServer(label, "SIGTERM");
    s.note(`${label} exited with code ${code}`);
    s.observations.push(`${label} exited with code ${code}, ${((Date.now() - stopping) / 1_000).toFixed(1)} s after SIGTERM; readers per instance then: ${formatCounts(instanceCounts(readers))}.`);
    await s.server(`${label} (restarted)`, { ...env, PORT: String(port) });
    await s.reconnected();
    await sleep(3_000);
  }
  await s.stopLoad();
  const end = Date.now();
  const cpu = process.cpuUsage(clientCpu.usage);
  s.observations.push(`The clients' own process (every reader, over TLS) used ${Math.round(((cpu.user + cpu.system) / 1_000 / (end - clientCpu.at)) * 100)}% of a core under load: its readers are the slow consumers a busy page would be.`);
  const off = disconnections(readers.map((reader) => reader.states), s.faultAt, end);
  s.observations.push(
    off
      ? `Without a connection: ${off.readers} of ${readers.length} readers, ${off.count} times in all (each reader once per instance it sat on when that one stopped); p50 ${Math.round(off.p50)} ms, p99 ${Math.round(off.p99)} ms, max ${Math.round(off.max)} ms${off.unfinished ? `; ${off.unfinished} still without one at the end` : ""}.`
      : "No reader lost its connection.",
    `Readers per instance at the end: ${formatCounts(instanceCounts(readers))} (nothing moves clients back to a restarted instance until they reconnect for another reason).`,
    `Failed reconnect attempts by how the client saw them: ${formatCounts(failedAttempts(readers, s.faultAt))}. nginx logged: ${formatCounts(nginxErrors(s.nginx.errors))}.`,
  );
  const unacked = new Set(readers.flatMap((reader) => [...reader.received]).filter((id) => !s.triggers[0]!.acked.some((event) => event.id === id)));
  if (unacked.size > 0) {
    s.observations.push(`${unacked.size} events reached the readers although their trigger failed (\`disconnected\`): the instance published them, and its socket closed before the answer got through. A failed trigger may have happened; an app that must not repeat one retries with an idempotency key of its own.`);
  }
  return {
    title: "6. Rolling restart behind nginx",
    fault: `nginx (deploy/nginx.conf, TLS) in front of two instances on one test Redis (\`EVENTS_TRUST_PROXY=1\`); ${readers.length} readers, the trigger stream and the requests all go through nginx. Each instance in turn gets SIGTERM (it drains, closes its sockets with 1001), is started again on its port, and the next one goes once every reader is connected again, 3 s later.`,
    expectation: "Each instance's readers reconnect through nginx to the instance that answers and resubscribe with `since`: `recovered: true`, what they missed replayed from the Redis stream. A reader that cannot take the replay and the live stream as fast as they come is told what its queue dropped (`EVENTS_EVENT_QUEUE_SIZE`, 5 by default) with counted `overflow` gaps. Triggers and requests in flight are answered by the draining instance or fail with `disconnected`; nothing acked is missing without a gap that says so.",
    groups: ["through nginx"],
  };
}

/** The reconnect attempts that failed after the first fault, by reason and close code. */
function failedAttempts(readers: readonly Reader[], from: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const reader of readers) {
    const changes = reader.states.filter((change) => change.at >= from);
    changes.forEach((change, index) => {
      // A `reconnecting` right after another one is an attempt that failed.
      if (change.state !== "reconnecting" || changes[index - 1]?.state !== "reconnecting") return;
      const key = `${change.reason}${change.closeCode === undefined ? "" : ` ${change.closeCode}`}`;
      counts[key] = (counts[key] ?? 0) + 1;
    });
  }
  return counts;
}

/** nginx's error log lines, counted by what they say (addresses and request details left out). */
function nginxErrors(lines: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of lines) {
    const what = /\[(?:error|warn|crit|alert|emerg)\] \d+#\d+: (?:\*\d+ )?([^,]+)/.exec(line)?.[1]?.replace(/\d+/g, "N");
    if (what) counts[what] = (counts[what] ?? 0) + 1;
  }
  return counts;
}

/** Which instance each reader's connection is on (from its last `connected`), counted. */
function instanceCounts(readers: readonly Reader[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const reader of readers) {
    const last = reader.states.filter((change) => change.state === "connected").at(-1);
    const on = reader.connected ? (last?.instance ?? "?") : "none";
    counts[on] = (counts[on] ?? 0) + 1;
  }
  return counts;
}

async function redisFailover(s: Scenario): Promise<ScenarioMeta> {
  const group = (s.sentinels = await startSentinelGroup({ downAfterMs: 1_000 }));
  s.note(`Redis primary on port ${group.primary.port}, its replica on ${group.replica.port}, three Sentinels on ${group.sentinels.map((sentinel) => sentinel.port).join(", ")} (quorum 2, down-after 1 s)`);
  const env = { EVENTS_REDIS_SENTINELS: group.sentinels.map(({ host, port }) => `${host}:${port}`).join(","), EVENTS_REDIS_MASTER_NAME: group.masterName };
  const { a, b } = await twoInstances(s, "on A", env);
  s.startLoad();
  await sleep(3_000);
  // Asynchronous replication loses what the primary acknowledged after the replica's last read.
  // On one machine that window is a millisecond; cut the replica off for one second to make it certain.
  const cutAt = Date.now();
  group.cutReplication();
  s.note("replica cut off the primary (the primary goes on acknowledging what the replica never gets)");
  await sleep(1_000);
  const primaryBefore = await group.currentPrimary();
  s.faultAt = Date.now();
  await group.primary.stop();
  s.note("primary killed (SIGKILL)");
  const seen = { degradedA: 0, degradedB: 0, promotedAt: 0, readyA: 0, readyB: 0 };
  let during: { status: number; body: string } | undefined;
  const deadline = Date.now() + 60_000;
  while ((!seen.readyA || !seen.readyB || !seen.promotedAt) && Date.now() < deadline) {
    const [ra, rb] = await Promise.all([readyz(a), readyz(b)]);
    const now = Date.now();
    if (ra.status !== 200 && !seen.degradedA) {
      seen.degradedA = now;
      during = ra;
    }
    if (rb.status !== 200 && !seen.degradedB) seen.degradedB = now;
    if (!seen.promotedAt && (await group.currentPrimary().catch(() => primaryBefore)) !== primaryBefore) {
      seen.promotedAt = now;
      s.note(`Sentinels name the replica the primary (${await group.currentPrimary()})`);
    }
    if (ra.status === 200 && seen.degradedA && !seen.readyA) {
      seen.readyA = now;
      s.note("A ready again (/readyz 200)");
    }
    if (rb.status === 200 && seen.degradedB && !seen.readyB) {
      seen.readyB = now;
      s.note("B ready again (/readyz 200)");
    }
    await sleep(100);
  }
  s.recoveredAt = Date.now();
  const after = (at: number) => (at ? `${((at - s.faultAt) / 1_000).toFixed(1)} s` : "never (within 60 s)");
  s.observations.push(
    `After the kill: A reported degraded after ${after(seen.degradedA)}, B after ${after(seen.degradedB)}; the Sentinels promoted the replica after ${after(seen.promotedAt)}; A was ready again after ${after(seen.readyA)}, B after ${after(seen.readyB)}.`,
  );
  if (during) s.observations.push(`During the failover A's /readyz answered ${during.status}: \`${during.body.slice(0, 300)}\``);
  await sleep(4_000);
  await s.stopLoad();

  const acked = s.triggers.flatMap((trigger) => trigger.acked);
  const alone = acked.filter((event) => event.at >= cutAt && event.at <= s.faultAt && !event.id.includes("~local"));
  const receivedAlone = s.readers.reduce((sum, reader) => sum + alone.filter((event) => reader.received.has(event.id)).length, 0);
  s.observations.push(
    `Acknowledged by the old primary alone (acked between the cut and the kill, never replicated): ${int(alone.length)} events. The readers received ${int(receivedAlone)} of the ${int(alone.length * s.readers.length)} deliveries they were owed (pub/sub went out before the kill); the new primary has none of them in its history.`,
  );
  const ids = new Map<string, number>();
  for (const event of acked) ids.set(event.id, (ids.get(event.id) ?? 0) + 1);
  s.observations.push(`Event ids acknowledged twice (a new primary reusing the old one's sequence): ${int([...ids.values()].filter((count) => count > 1).length)}.`);
  s.observations.push(
    "How the losses surfaced: each instance, on adopting the new primary's epoch, sent every subscription a `history` gap with `missed: null` (the old history's tail cannot be counted); it came first and covers what the other instance delivered alone during the outage. That instance's announcement (a counted gap, reserved in the new history) followed and found nothing left to cover, hence \"over-reported\" in the table: harmless, and the count a reader replaying across the hole with `since` is told.",
  );
  const lost = alone.at(-1);
  if (lost) {
    // A browser that comes back with one of those ids as its `since`.
    const late = new WireClient(b.url.replace(/^http/, "ws"));
    await late.opened;
    const reply = await late.op({ type: "subscribe", event: EVENT, since: lost.id });
    late.close();
    s.observations.push(`A new client subscribing on B with \`since\` = \`${lost.id}\` (the last event the old primary acknowledged alone) got \`recovered: ${String(reply.recovered)}\` and \`last\` = \`${String(reply.last)}\`.`);
  }
  return {
    title: "7. The Redis primary killed; Sentinel promotes the replica",
    fault:
      "Two instances reach Redis through three Sentinels (`EVENTS_REDIS_SENTINELS`); the replica is cut off the primary for 1 s under load (so the primary alone holds what it acknowledges meanwhile), then the primary is killed with SIGKILL and the Sentinels promote the replica.",
    expectation:
      "Both instances report degraded, each delivering its own events to its own clients, then follow the new primary. The new primary lacks what the old one acknowledged alone, so the history starts a new epoch: every reader gets a `history` gap with `missed: null` (no id is ever given out twice), the other instance's clients a counted gap for what was delivered alone. No client connection drops; nothing is lost silently.",
    groups: ["on A", "on B"],
  };
}

const RUNNERS: Record<ScenarioKey, (s: Scenario) => Promise<ScenarioMeta>> = {
  kill: killWithoutRedis,
  "kill-redis": killWithRedis,
  term: sigterm,
  redis: redisOutage,
  cut: networkCut,
  rolling: rollingRestart,
  failover: redisFailover,
};

// ── the run ────────────────────────────────────────────────────────────────

const started = Date.now();
const loadStart = machineLoad().uptime;
console.log(`Chaos: ${only.join(", ")} — ${machine()}\n  ${loadStart}`);
const results: ScenarioResult[] = [];
for (const key of only as ScenarioKey[]) {
  console.log(`\n  ${key}`);
  const scenario = new Scenario();
  let meta: ScenarioMeta;
  let failure: string | undefined;
  try {
    meta = await Promise.race([
      RUNNERS[key](scenario),
      sleep(240_000).then((): never => {
        throw new Error("the scenario did not finish within 240 s");
      }),
    ]);
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
    scenario.note(`FAILED: ${failure}`);
    meta = { title: key, fault: "", expectation: "", groups: [...new Set(scenario.readers.map((reader) => reader.group))] };
  }
  await scenario.close();
  const result = scenario.result(key, meta);
  if (failure) result.error = failure;
  results.push(result);
  printScenario(result);
}

const chaos: ChaosResult = {
  command,
  date: new Date(started).toISOString().replace("T", " ").slice(0, 16) + " UTC",
  machine: machine(),
  versions: ["next", "ws", "ioredis"].map((name) => `${name} ${packageVersion(name)}`).join(", ") + `, redis-server ${redisServerVersion()}`,
  loadStart,
  loadEnd: machineLoad().uptime,
  durationS: (Date.now() - started) / 1_000,
  settings: { readers: readersPerScenario, rate, env: { ...baseEnv, SECRET_KEY: "(set)", EVENTS_METRICS_TOKEN: "(random)" }, requestSlots, query: requestPlan?.query ?? QUERY, requestsAsMonitor: !!requestPlan?.monitorSecret },
  scenarios: results,
};
const directory = toDocs ? join(ROOT, "reliability", "results") : mkdtempSync(join(tmpdir(), "wf-chaos-"));
mkdirSync(directory, { recursive: true });
writeFileSync(join(directory, toDocs ? "chaos.json" : "chaos-smoke.json"), `${JSON.stringify(toDocs && !full ? mergedIntoFullRun(chaos, join(directory, "chaos.json")) : chaos, null, 1)}\n`);
if (toDocs) {
  writeReliabilityDoc();
  console.log("\nWrote docs/reliability.md and reliability/results/chaos.json.");
} else {
  console.log(`\nPartial run: docs untouched; the result is in ${directory}`);
}
const silent = results.reduce((sum, result) => sum + result.silent, 0);
const failed = results.filter((result) => result.error).length;
console.log(`\nNothing lost silently: ${silent === 0 ? "yes" : `NO — ${silent} events lost silently`}${failed ? `; ${failed} scenario(s) failed to run` : ""}`);
process.exit(silent === 0 && failed === 0 ? 0 : 1);

/**
 * A partial run written to docs: its scenarios replace those of the same name in the last full
 * run's results (or are added), each marked with its own run, so the other sections stay.
 */
function mergedIntoFullRun(partial: ChaosResult, file: string): ChaosResult {
  if (!existsSync(file)) return partial;
  const previous = JSON.parse(readFileSync(file, "utf8")) as ChaosResult;
  const { command: runCommand, date, loadStart: start, loadEnd, durationS } = partial;
  const marked = partial.scenarios.map((scenario) => ({ ...scenario, run: { command: runCommand, date, loadStart: start, loadEnd, durationS } }));
  // In the order the scenarios run and are reported.
  const scenarios = SCENARIOS.flatMap((key) => marked.find((mine) => mine.key === key) ?? previous.scenarios.find((known) => known.key === key) ?? []);
  return { ...previous, scenarios };
}

function printScenario(result: ScenarioResult): void {
  console.log(`  — ${result.title}${result.error ? ` (FAILED: ${result.error})` : ""}`);
  for (const group of result.groups) {
    console.log(
      `    ${group.group}: ${group.readers} readers × ${group.expectedEach} acked; missing ${group.missing}, replayed ${group.replayed}, ` +
        `gaps ${group.gaps} (${group.gapsUnknown} missed:null, ${group.gapMissed} counted), recovered ${group.recovered}/${group.recovered + group.notRecovered}, ` +
        `closed by ${formatCounts(group.closeCodes)} (+${group.failedAttempts} failed attempts), silent ${group.silent}${group.silent ? ` (by history: ${formatCounts(group.silentByHistory)})` : ""}`,
    );
  }
  for (const trigger of result.triggers) console.log(`    ${trigger.label}: ${trigger.acked} acked of ${trigger.sent}, failed ${formatCounts(trigger.failures)}`);
  for (const requester of result.requests) console.log(`    ${requester.label}: ${formatCounts(requester.total)}`);
  for (const server of result.servers) console.log(`    ${server.label}: exit ${server.exit}`);
  for (const observation of result.observations) console.log(`    note: ${observation}`);
  for (const entry of result.timeline.filter((line) => line.what.includes(" logs "))) console.log(`    ${entry.t.toFixed(1)} s  ${entry.what}`);
}

