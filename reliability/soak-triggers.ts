/**
 * The soak's trigger clients, in their own process: protocol `trigger` ops at a steady rate per
 * stream, pipelined (each connection keeps sending on a 10 ms clock without waiting for acks, up to
 * a bound of ops in flight), every ack counted with its latency.
 */
import { createMonitorToken } from "../lib/events/server/monitor-token";
import { serve } from "./child";
import { WireClient } from "./wire-client";

export interface TriggerStream {
  event: string;
  perSecond: number;
  connections: number;
  /** Characters of padding in each payload (a bigger event fills a stalled socket sooner). */
  pad: number;
}

export interface TriggersConfig {
  /** The servers' WebSocket base URLs: a stream's connection i triggers on server i mod n. */
  urls: string[];
  streams: TriggerStream[];
  /**
   * The trigger clients stand for the app's server side: pages may not trigger the demo's events
   * (their authorize hooks), so each connection becomes a monitor session with a token signed by this.
   */
  monitorSecret: string;
}

export interface StreamReport {
  event: string;
  target: number;
  sent: number;
  acked: number;
  failed: Record<string, number>;
  /** Sends skipped because too many were in flight (the server fell behind). */
  skipped: number;
  reconnects: number;
  latenciesMs: number[];
  firstAckAt: number;
  lastAckAt: number;
}

const MAX_IN_FLIGHT = 2_000;
const TICK_MS = 10;

let running = false;
const tasks: Promise<void>[] = [];
const reports: StreamReport[] = [];
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function payload(event: string, n: number, pad: string): unknown {
  return event === "model:created" ? { id: n, value: `soak ${n} ${pad}` } : { message: `soak ${n} ${pad}` };
}

async function connection(stream: TriggerStream, report: StreamReport, url: string, monitorSecret: string): Promise<void> {
  const rate = stream.perSecond / stream.connections;
  const pad = "x".repeat(stream.pad);
  let n = 0;
  while (running) {
    const client = new WireClient(url);
    try {
      await Promise.race([client.opened, sleep(15_000).then(() => Promise.reject(new Error("no welcome")))]);
      const monitor = await client.op({ type: "monitor", token: createMonitorToken(monitorSecret, { ttlMs: 24 * 60 * 60_000 }) }, 15_000);
      if (monitor.type !== "ok") throw new Error(`monitor refused: ${String(monitor.code)}`);
    } catch {
      report.reconnects++;
      client.close();
      await sleep(500);
      continue;
    }
    const started = performance.now();
    let sent = 0;
    let inFlight = 0;
    while (running && client.open) {
      const due = Math.floor((rate * (performance.now() - started)) / 1_000) - sent;
      for (let i = 0; i < Math.min(due, 200); i++) {
        sent++;
        if (inFlight >= MAX_IN_FLIGHT) {
          report.skipped++;
          continue;
        }
        inFlight++;
        report.sent++;
        const at = performance.now();
        void client.op({ type: "trigger", event: stream.event, data: payload(stream.event, ++n, pad) }, 30_000).then((reply) => {
          inFlight--;
          if (reply.type === "ok") {
            report.acked++;
            const now = Date.now();
            report.firstAckAt ||= now;
            report.lastAckAt = now;
            if (report.latenciesMs.length < 300_000) report.latenciesMs.push(performance.now() - at);
          } else {
            report.failed[String(reply.code)] = (report.failed[String(reply.code)] ?? 0) + 1;
          }
        });
      }
      if (due > 200) sent += due - 200; // a stall (GC, a busy machine) is not made up in one burst
      await sleep(TICK_MS);
    }
    // Let the last acks arrive.
    const deadline = Date.now() + 10_000;
    while (inFlight > 0 && client.open && Date.now() < deadline) await sleep(50);
    client.close();
    if (running) report.reconnects++;
  }
}

serve({
  start(config: TriggersConfig) {
    running = true;
    for (const stream of config.streams) {
      const report: StreamReport = { event: stream.event, target: stream.perSecond, sent: 0, acked: 0, failed: {}, skipped: 0, reconnects: 0, latenciesMs: [], firstAckAt: 0, lastAckAt: 0 };
      reports.push(report);
      for (let index = 0; index < stream.connections; index++) tasks.push(connection(stream, report, config.urls[index % config.urls.length]!, config.monitorSecret));
    }
    return null;
  },
  progress() {
    return reports.map((report) => ({ ...report, latenciesMs: [] }));
  },
  async stop() {
    running = false;
    await Promise.race([Promise.all(tasks), sleep(20_000)]);
    return reports;
  },
});
