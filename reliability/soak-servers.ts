/**
 * The soak's server processes: the production server (`server.ts` on the build, in its own process
 * group), started with an inspector so that the soak can force a full collection and read the live
 * heap; each sampled from its `/metrics`, its log counted by level. One for the plain soak, two
 * instances on a private Redis for `--redis`.
 */
import { startAppServer, type AppServer } from "../test/support/app-server";
import { eventCounters, LogWatch, metric, scrapeMetrics, type MetricSample } from "./common";
import { Inspector, inspectorUrl } from "./inspector";
import { memoryFigures, type MemoryFigures } from "./memory";

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

/** RSS and heap after warm-up; `reason` when the verdict could not be reached (too few samples after warm-up): then not flat. */
export interface SoakMemory {
  rss: MemoryFigures;
  heapUsed: MemoryFigures;
  flat: boolean;
  reason?: string;
}

/** What one server process of a run left: its memory over time, its log, how it ended, its counters. */
export interface ServerRun {
  label: string;
  /** Its settings beyond the run's `settings.env`. */
  env: Record<string, string>;
  samples: MemorySample[];
  memory: SoakMemory;
  serverLog: { level: string; message: string; count: number }[];
  serverLines: number;
  serverExit: number | null;
  metricsEnd: { series: string; value: number }[];
}

export class SoakServer {
  readonly samples: MemorySample[] = [];
  readonly logs = new LogWatch();
  lastMetrics: MetricSample[] | undefined;
  exit: number | null = null;

  private constructor(
    readonly label: string,
    readonly env: Record<string, string>,
    readonly server: AppServer,
    readonly inspector: Inspector | undefined,
  ) {
    this.logs.watch(server, label);
  }

  /** Starts one server with `env` and its own `extra` settings, and connects to its inspector. */
  static async start(label: string, env: Record<string, string>, extra: Record<string, string> = {}, databasePath?: string): Promise<SoakServer> {
    const server = await startAppServer({ env: { ...env, ...extra }, timeoutMs: 120_000, ...(databasePath ? { databasePath } : {}) });
    const debuggerAt = inspectorUrl(server.lines);
    const inspector = debuggerAt ? await Inspector.connect(debuggerAt).catch(() => undefined) : undefined;
    return new SoakServer(label, extra, server, inspector);
  }

  get url(): string {
    return this.server.url;
  }

  get wsUrl(): string {
    return this.server.url.replace(/^http/, "ws");
  }

  /** One sample from `/metrics` (none when it does not answer). */
  async sample(token: string, t: number): Promise<void> {
    const scraped = await scrapeMetrics(this.server.url, token);
    if (!scraped) return;
    this.lastMetrics = scraped;
    this.samples.push({
      t,
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

  /** A full collection through the inspector, then the live heap and RSS as a sample. */
  async sampleAfterGc(t: number): Promise<void> {
    if (!this.inspector) return;
    await this.inspector.liveMemory().then(
      (live) => void this.samples.push({ t, ...live, heapTotal: Number.NaN, external: Number.NaN, connections: Number.NaN, queueDepth: Number.NaN, cpu: Number.NaN, lagP99: Number.NaN, afterGc: true }),
      (error: unknown) => console.warn(`  the inspector${this.label === "server" ? "" : ` of ${this.label}`} failed: ${String(error)}`),
    );
  }

  /** The last plain sample. */
  get last(): MemorySample | undefined {
    return this.samples.filter((s) => !s.afterGc).at(-1);
  }

  /** SIGTERM; remembers the exit code. */
  async stop(): Promise<void> {
    this.inspector?.close();
    this.exit = await this.server.stop("SIGTERM");
    this.logs.stop();
  }

  /** For the `finally` of a run that failed: nothing may outlive it. */
  async kill(): Promise<void> {
    this.logs.stop();
    this.inspector?.close();
    await this.server.stop("SIGKILL");
  }

  result(warmUpS: number): ServerRun {
    return {
      label: this.label,
      env: this.env,
      samples: this.samples,
      memory: soakMemory(this.samples, warmUpS),
      serverLog: this.logs.summary(),
      serverLines: this.logs.lines,
      serverExit: this.exit,
      metricsEnd: eventCounters(this.lastMetrics),
    };
  }
}

export function soakMemory(samples: readonly MemorySample[], warmUpS: number): SoakMemory {
  const rss = memoryFigures(samples, warmUpS, (s) => s.rss);
  const heapUsed = memoryFigures(samples, warmUpS, (s) => s.heapUsed);
  const reason = rss.reason ?? heapUsed.reason;
  return { rss, heapUsed, flat: rss.flat && heapUsed.flat, ...(reason ? { reason } : {}) };
}
