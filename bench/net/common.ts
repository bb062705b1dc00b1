/** What the network benchmarks' parent, servers and clients agree on. */

/** The servers measured side by side. */
export type ServerKind = "ours" | "ours-pattern" | "ws-naive" | "ws-corked" | "socketio";

export const SERVER_LABELS: Record<ServerKind, string> = {
  ours: "ours (EventBus + EventsTransport)",
  "ours-pattern": "ours, subscribed by pattern `bench:*`",
  "ws-naive": "raw ws, naive",
  "ws-corked": "raw ws, corked",
  socketio: "Socket.IO 4.8",
};

/** The public event, the echo query and the room every contender uses. */
export const EVENT = "bench:tick";
export const ECHO = "bench:echo";
export const ROOM = "bench";
/** What "ours-pattern" clients subscribe to instead of EVENT: a pattern that matches it. */
export const PATTERN = "bench:*";

/** Our server and protocol, whether its clients subscribe by name or by pattern. */
export function speaksOurs(kind: ServerKind): kind is "ours" | "ours-pattern" {
  return kind === "ours" || kind === "ours-pattern";
}

/** Wall-clock ms with sub-ms precision, comparable between processes on one machine. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * A delivered event's payload: the phase (so that a late event of an earlier phase is not
 * counted), its sequence number, the trigger time and padding up to the wanted size.
 */
export interface TickPayload {
  p: number;
  s: number;
  t: number;
  pad: string;
}

/** Padding that makes a TickPayload's JSON about `bytes` long. */
export function padFor(bytes: number): string {
  const bare = JSON.stringify({ p: 1, s: 12345, t: now(), pad: "" }).length;
  return "x".repeat(Math.max(0, bytes - bare));
}

/** Percentiles of a sample (sorted in place). */
export function summarise(values: Float64Array | number[]): { count: number; p50: number; p99: number; max: number } {
  const sorted = Float64Array.from(values).sort();
  const pick = (p: number) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!);
  return { count: sorted.length, p50: pick(50), p99: pick(99), max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Server-side measurement of one window: CPU and memory. */
export interface ServerWindow {
  /** µs of CPU (user + system) the server process spent in the window. */
  cpuUs: number;
  cpuUserUs: number;
  cpuSystemUs: number;
  wallMs: number;
  /** Bytes, after a GC at the window's start. */
  before: { rss: number; heapUsed: number; external: number; arrayBuffers: number };
  /** Highest values sampled (RSS every 100 ms, the rest every 200 ms) during the window. */
  peak: { rss: number; heapUsed: number; external: number; arrayBuffers: number };
  /** process.resourceUsage().maxRSS at the end, bytes (the process's lifetime peak). */
  maxRss: number;
  /** Transport counters (ours only): dropped, queued, connections. */
  stats?: Record<string, unknown>;
}
