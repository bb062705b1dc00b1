/**
 * What every attack needs: sizes (full and short), findings, and tools that speak to a server
 * exactly as an attacker would — raw requests on sockets it never closes first, WebSockets from
 * chosen loopback addresses (127.0.0.0/8 all reach a server on 127.0.0.1, so one machine plays
 * many clients), and the server process's memory and file descriptors read from /proc.
 */
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import WebSocket from "ws";
import { SUBPROTOCOL } from "../../lib/events/protocol";
import type { AppServer, StartOptions } from "../../test/support/app-server";

export { openDescriptors, rawRequest, upgradeRequest } from "../../test/support/raw-http";

/** How hard each attack pushes: the full run replays the review's figures; the short one is for `npm test`. */
export interface Sizes {
  upgrades: number;
  webSockets: number;
  globalCap: number;
  bodyMB: number;
  bigBodies: number;
  bigBodyMB: number;
  subscribers: number;
  floodSeconds: number;
  wrongTokens: number;
  refusedOrigins: number;
  traces: number;
}

export const FULL: Sizes = {
  upgrades: 20_000,
  webSockets: 8_000,
  globalCap: 1_000,
  bodyMB: 100,
  bigBodies: 6,
  bigBodyMB: 250,
  subscribers: 1_000,
  floodSeconds: 10,
  wrongTokens: 3_000,
  refusedOrigins: 5_000,
  traces: 200,
};

export const SHORT: Sizes = {
  upgrades: 1_000,
  webSockets: 400,
  globalCap: 100,
  bodyMB: 100,
  bigBodies: 2,
  bigBodyMB: 50,
  subscribers: 200,
  floodSeconds: 3,
  wrongTokens: 200,
  refusedOrigins: 300,
  traces: 40,
};

/** One finding of the review, replayed: whether the server held, and the figures that say so. */
export interface Finding {
  id: number;
  title: string;
  held: boolean;
  /** Label → value, in the order they should be read. */
  figures: Record<string, string | number>;
  /** The checks that failed, when it did not hold. */
  failures: string[];
}

/** Collects the checks of one finding. */
export class Verdict {
  readonly figures: Record<string, string | number> = {};
  readonly failures: string[] = [];
  constructor(readonly id: number, readonly title: string) {}

  figure(label: string, value: string | number): this {
    this.figures[label] = value;
    return this;
  }

  check(ok: boolean, what: string): this {
    if (!ok) this.failures.push(what);
    return this;
  }

  done(): Finding {
    return { id: this.id, title: this.title, held: this.failures.length === 0, figures: this.figures, failures: this.failures };
  }
}

export interface AttackContext {
  sizes: Sizes;
  /** Starts a production server (or development, with NODE_ENV) that the run stops at the end. */
  server(options?: StartOptions): Promise<AppServer>;
  note(line: string): void;
}

export const DASHBOARD_TOKEN = "attack-dashboard-token-0123456789";
export const METRICS_TOKEN = "attack-metrics-token-0123456789";

/** Resident memory of a process, in MB (Linux). */
export function rssMB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((text) => text.startsWith("VmRSS:"));
  return Number(line?.split(/\s+/)[1] ?? NaN) / 1024;
}

/** Samples a process's RSS every 50 ms while `work` runs; resolves to the peak and the work's result. */
export async function peakRss<T>(pid: number, work: () => Promise<T>): Promise<{ peakMB: number; result: T }> {
  let peakMB = rssMB(pid);
  const timer = setInterval(() => (peakMB = Math.max(peakMB, rssMB(pid))), 50);
  try {
    return { peakMB, result: await work() };
  } finally {
    clearInterval(timer);
    peakMB = Math.max(peakMB, rssMB(pid));
  }
}

export const mb = (value: number) => `${value.toFixed(1)} MB`;
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A /ws/events connection from `localAddress`: the open socket (after its welcome), or the refusal's status. */
export function openSocket(url: string, localAddress: string, headers: Record<string, string> = {}): Promise<WebSocket | number> {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/ws/events`, [SUBPROTOCOL], { headers, localAddress, perMessageDeflate: false });
  ws.on("error", () => {});
  return new Promise((resolve) => {
    ws.once("message", () => resolve(ws));
    ws.once("unexpected-response", (_request, response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    ws.once("close", () => resolve(0));
  });
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** An HTTP request from `localAddress` (fetch cannot choose it); the body may be a stream of chunks. */
export function http(
  url: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | AsyncIterable<Buffer>; localAddress?: string } = {},
): Promise<HttpAnswer> {
  const target = new URL(options.path ?? "/", url);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { hostname: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: options.method ?? "GET", headers: options.headers, localAddress: options.localAddress },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body.length < 65_536 ? (body += chunk) : undefined));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
        response.on("error", reject);
      },
    );
    // A server that answers 413 and closes before the body is sent makes writes fail: that is the point.
    request.on("error", (error: NodeJS.ErrnoException) => (error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error)));
    const body = options.body;
    if (body === undefined || typeof body === "string") {
      request.end(body);
      return;
    }
    void (async () => {
      try {
        for await (const chunk of body) {
          if (request.destroyed) return;
          if (!request.write(chunk)) await new Promise((drained) => request.once("drain", drained).once("close", drained));
        }
        request.end();
      } catch {
        request.destroy();
      }
    })();
  });
}

/** `megabytes` of JSON-looking bytes in 64 KiB chunks, generated as they are sent (the attacker holds none of it). */
export async function* bigBody(megabytes: number): AsyncIterable<Buffer> {
  const chunk = Buffer.alloc(64 * 1024, "a");
  yield Buffer.from('{"value":"');
  for (let sent = 0; sent < megabytes * 1024 * 1024; sent += chunk.length) yield chunk;
  yield Buffer.from('"}');
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs `count` tasks with at most `concurrency` at once. */
export async function pool<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

/** The log lines a server printed since `from` (an index into its lines), and their bytes. */
export function logSince(server: AppServer, from: number): { lines: number; bytes: number; longest: number } {
  const added = server.lines.slice(from);
  return { lines: added.length, bytes: added.reduce((sum, line) => sum + line.length + 1, 0), longest: added.reduce((max, line) => Math.max(max, line.length), 0) };
}
