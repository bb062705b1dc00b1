/**
 * What the soak and chaos runs share: flags, the build check, machine facts, /metrics scraping,
 * and the server's log lines (counted by level, then let go so a long run does not hoard them).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import type { AppServer } from "../test/support/app-server";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Exits with "run npm run build first" when there is no production build. */
export function requireBuild(): void {
  if (!existsSync(`${ROOT}.next/BUILD_ID`)) {
    console.error("No production build in .next/: run npm run build first");
    process.exit(1);
  }
}

/** SECRET_KEY of the servers the runs start (so that they can mint a monitor token when they need one). */
export const SECRET_KEY = "reliability-runs-secret-key-0123456789";

/**
 * Waits (bounded) until .next/BUILD_ID exists: other engineers rebuild on this machine, and a
 * build in progress removes it for a minute or so. Throws when it does not come back.
 */
export async function waitForBuild(timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let said = false;
  while (!existsSync(`${ROOT}.next/BUILD_ID`)) {
    if (Date.now() > deadline) throw new Error("No production build in .next/ (someone's build removed it and it did not come back): run npm run build");
    if (!said) console.log("    (waiting for .next/BUILD_ID: a build is running on this machine)");
    said = true;
    await sleep(2_000);
  }
}

/** `uptime`'s line, and the load averages as numbers. */
/** Where and when a soak or chaos run ran: the head of its section in docs/reliability.md. */
export interface RunHeader {
  command: string;
  date: string;
  machine: string;
  versions: string;
  loadStart: string;
  loadEnd: string;
  durationS: number;
}

export function machineLoad(): { uptime: string; load: number[] } {
  let uptime = "";
  try {
    uptime = execFileSync("uptime", { encoding: "utf8" }).trim();
  } catch {
    uptime = `load average: ${os.loadavg().map((value) => value.toFixed(2)).join(", ")}`;
  }
  return { uptime, load: os.loadavg() };
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model?.replace(/\s+/g, " ").trim() ?? "?";
  return `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB, ${os.type()} ${os.release()}; Node ${process.version}`;
}

/** The installed redis-server's version ("?" when there is none). */
export function redisServerVersion(): string {
  try {
    return /v=(\S+)/.exec(execFileSync("redis-server", ["--version"], { encoding: "utf8" }))?.[1] ?? "?";
  } catch {
    return "?";
  }
}

export function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(`${ROOT}node_modules/${name}/package.json`, "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}

/** A random token of at least 16 characters for EVENTS_METRICS_TOKEN. */
export function metricsToken(): string {
  return `reliability-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
}

// ── /metrics ───────────────────────────────────────────────────────────────

/** One sample line of the Prometheus text format: `name{labels} value`. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parsePrometheus(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[4]) });
  }
  return samples;
}

/** GET /metrics with the bearer token; undefined when the server does not answer within `timeoutMs`. */
export async function scrapeMetrics(url: string, token: string, timeoutMs = 5_000): Promise<MetricSample[] | undefined> {
  try {
    const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return undefined;
    return parsePrometheus(await response.text());
  } catch {
    return undefined;
  }
}

/** The value of `name` (summed over label sets matching `labels`). */
export function metric(samples: readonly MetricSample[] | undefined, name: string, labels: Record<string, string> = {}): number | undefined {
  if (!samples) return undefined;
  let found = false;
  let total = 0;
  for (const sample of samples) {
    if (sample.name !== name) continue;
    if (!Object.entries(labels).every(([key, value]) => sample.labels[key] === value)) continue;
    found = true;
    total += sample.value;
  }
  return found ? total : undefined;
}

/** The bus's and transport's own series (not prom-client's process defaults), one line each. */
export function eventCounters(samples: readonly MetricSample[] | undefined): { series: string; value: number }[] {
  if (!samples) return [];
  const own = /^wf_events_(triggers|requests|handler_errors|adapter_up|cluster_instances|connections|monitors|subscriptions|queue_depth|subscribers|connections_accepted|upgrades_refused|deliveries|gaps|drops|slow_consumer_disconnects|recoveries|rate_limited|bad_frames)(_total)?$/;
  return samples
    .filter((sample) => own.test(sample.name))
    .map((sample) => {
      const labels = Object.entries(sample.labels).map(([key, value]) => `${key}="${value}"`).join(",");
      return { series: labels ? `${sample.name}{${labels}}` : sample.name, value: sample.value };
    });
}

// ── the server's log ───────────────────────────────────────────────────────

/**
 * Warnings and errors a server logged, counted by message. The lines are read from the server's
 * own stdout and stderr, split on newlines across chunks (a pipe may cut a line anywhere), and
 * the AppServer's `lines` buffer is emptied as we go so a long run does not hoard them.
 */
export class LogWatch {
  readonly byMessage = new Map<string, { level: string; count: number; first: Record<string, unknown> | string }>();
  lines = 0;
  /** Info lines worth a place in a timeline (Redis lost/back, shutdown), with when they were read. */
  readonly notable: { at: number; server: string; message: string }[] = [];
  #servers = new Set<AppServer>();
  #labels = new Map<AppServer, string>();
  #timer: NodeJS.Timeout;

  constructor() {
    this.#timer = setInterval(() => this.drain(), 1_000);
  }

  watch(server: AppServer, label = "server"): void {
    this.#servers.add(server);
    this.#labels.set(server, label);
    for (const stream of [server.process.stdout, server.process.stderr]) {
      let partial = "";
      stream?.on("data", (chunk: Buffer) => {
        const text = partial + chunk.toString("utf8");
        const lines = text.split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) if (line) this.#line(line, label);
      });
    }
  }

  /** Lets go of what the watched servers' `lines` buffers hold. */
  drain(): void {
    for (const server of this.#servers) server.lines.splice(0, server.lines.length);
  }

  #line(line: string, server: string): void {
    this.lines++;
    const notable = /"msg":"(Redis is back[^"]*|Redis is lost[^"]*|Redis started a new history[^"]*|Shutting down[^"]*|Stopped)"/.exec(line);
    if (notable) this.notable.push({ at: Date.now(), server, message: notable[1]! });
    // pino writes the level first: info (30) and below are skipped without parsing.
    if (/^\{"level":(10|20|30),/.test(line)) return;
    // The inspector's own lines (the soak starts the server with --inspect).
    if (/^(Debugger (listening|attached|ending)|For help, see: https:\/\/nodejs\.org\/en\/docs\/inspector|Waiting for the debugger)/.test(line)) return;
    let level: string;
    let message: string;
    let first: Record<string, unknown> | string;
    if (line.startsWith("{")) {
      try {
        const record = JSON.parse(line) as Record<string, unknown>;
        level = typeof record.level === "number" ? (record.level >= 50 ? "error" : "warn") : "error";
        message = String(record.msg ?? "");
        first = record;
      } catch {
        level = "text";
        message = line;
        first = line;
      }
    } else {
      // Not pino's: Next's own start-up lines, or a crash's stack.
      level = "text";
      message = line;
      first = line;
    }
    const key = message.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, "N").slice(0, 200);
    const entry = this.byMessage.get(key);
    if (entry) entry.count++;
    else this.byMessage.set(key, { level, count: 1, first });
  }

  /** Counts by message, most frequent first. */
  summary(): { level: string; message: string; count: number }[] {
    return [...this.byMessage].map(([message, { level, count }]) => ({ level, message, count })).sort((a, b) => b.count - a.count);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.drain();
  }
}

// ── numbers ────────────────────────────────────────────────────────────────

export const MB = 1024 * 1024;

export function mb(bytes: number | undefined): string {
  return bytes === undefined || !Number.isFinite(bytes) ? "–" : `${(bytes / MB).toFixed(1)} MB`;
}

/** Least-squares slope of y over x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / n;
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (const point of points) {
    numerator += (point.x - meanX) * (point.y - meanY);
    denominator += (point.x - meanX) ** 2;
  }
  return denominator === 0 ? Number.NaN : numerator / denominator;
}

/** Counts by key, as "key: n, key: n" (most first), or "none". */
export function formatCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts).filter(([, count]) => count > 0).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? "none" : entries.map(([key, count]) => `${key}: ${count}`).join(", ");
}

export function addCount(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** Flags of the form `--name value` and `--switch`. */
export function parseFlags(argv: string[], spec: Record<string, "string" | "number" | "boolean">, usage: string): Record<string, string | number | boolean | undefined> {
  const flags: Record<string, string | number | boolean | undefined> = {};
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const name = arg.replace(/^--/, "");
    const kind = spec[name];
    if (!arg.startsWith("--") || !kind) {
      console.error(`Unknown argument ${arg}\n${usage}`);
      process.exit(2);
    }
    if (kind === "boolean") {
      flags[name] = true;
      continue;
    }
    const value = argv[++index];
    if (value === undefined) {
      console.error(`${arg} needs a value\n${usage}`);
      process.exit(2);
    }
    if (kind === "number") {
      const number = Number(value);
      if (!Number.isFinite(number) || number <= 0) {
        console.error(`${arg} needs a positive number, not ${value}\n${usage}`);
        process.exit(2);
      }
      flags[name] = number;
    } else {
      flags[name] = value;
    }
  }
  return flags;
}
