import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { EventBus } from "@/lib/events";
import type { EventsTransport, TransportCounters } from "@/lib/events/server";
import type { RefusalLog } from "@/lib/events/server/refusal-log";

/**
 * The Prometheus view of the bus and its transport (`GET /metrics`). Triggers and requests are
 * counted as they happen (from `bus.measure`, which costs no payload preview); the transport's
 * own counts and gauges are read at scrape time.
 */
export function createMetrics(bus: EventBus, transport: EventsTransport | undefined, refusals: RefusalLog): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "wf_events_" });

  const triggers = new Counter({ name: "wf_events_triggers_total", help: "Triggers, by event and outcome", labelNames: ["event", "outcome"], registers: [registry] });
  const requests = new Counter({ name: "wf_events_requests_total", help: "Requests, by query and outcome", labelNames: ["query", "outcome"], registers: [registry] });
  const latency = new Histogram({
    name: "wf_events_request_duration_seconds",
    help: "How long requests took, by query",
    labelNames: ["query"],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const handlerErrors = new Counter({ name: "wf_events_handler_errors_total", help: "Event handlers that threw, by event", labelNames: ["event"], registers: [registry] });
  bus.measure((measurement) => {
    if (measurement.kind === "trigger") {
      triggers.inc({ event: measurement.name, outcome: measurement.outcome });
      if (measurement.failed > 0) handlerErrors.inc({ event: measurement.name }, measurement.failed);
    } else {
      requests.inc({ query: measurement.name, outcome: measurement.outcome });
      latency.observe({ query: measurement.name }, measurement.durationMs / 1000);
    }
  });

  new Gauge({
    name: "wf_events_adapter_up",
    help: "1 when the adapter reaches the rest of the cluster (always 1 in memory), 0 while degraded",
    labelNames: ["adapter"],
    registers: [registry],
    collect() {
      this.reset();
      this.set({ adapter: bus.adapter.kind }, bus.adapter.state === "ready" ? 1 : 0);
    },
  });
  new Gauge({
    name: "wf_events_cluster_instances",
    help: "Instances of the app the adapter knows of, this one included",
    registers: [registry],
    collect() {
      this.set(Math.max(1, bus.adapter.instances().length));
    },
  });
  const seenRefusals = new Map<string, number>();
  new Counter({
    name: "wf_events_refusals_total",
    help: "Connections, upgrades and requests turned away, by reason (host, origin, upgrade_path, max_connections, max_connections_per_ip, sockets_per_ip, max_sockets, sign_in_throttled…)",
    labelNames: ["reason"],
    registers: [registry],
    collect() {
      for (const [reason, count] of Object.entries(refusals.totals)) {
        const increase = count - (seenRefusals.get(reason) ?? 0);
        seenRefusals.set(reason, count);
        if (increase > 0) this.inc({ reason }, increase);
      }
    },
  });
  if (!transport) return registry;

  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
  gauge("wf_events_connections", "Open /ws/events connections", () => transport.stats().connections);
  gauge("wf_events_monitors", "Connections in a monitor session (dashboards)", () => transport.stats().monitors);
  gauge("wf_events_subscriptions", "Subscriptions held by all connections", () => transport.stats().subscriptions);
  gauge("wf_events_queue_depth", "Events waiting in slow connections' send queues", () => transport.stats().queued);
  new Gauge({
    name: "wf_events_subscribers",
    help: "Connections subscribed, by event",
    labelNames: ["event"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [event, count] of Object.entries(transport.stats().subscribers)) this.set({ event }, count);
    },
  });

  const fromCounters = (name: string, help: string, labelName: string | undefined, read: (counters: TransportCounters) => Record<string, number> | number) => {
    const seen = new Map<string, number>();
    return new Counter({
      name,
      help,
      labelNames: labelName ? [labelName] : [],
      registers: [registry],
      collect() {
        const value = read(transport.counters);
        const entries = typeof value === "number" ? [["", value] as const] : Object.entries(value);
        for (const [label, count] of entries) {
          const increase = count - (seen.get(label) ?? 0);
          seen.set(label, count);
          if (increase <= 0) continue;
          if (labelName) this.inc({ [labelName]: label }, increase);
          else this.inc(increase);
        }
      },
    });
  };
  fromCounters("wf_events_connections_accepted_total", "Connections accepted", undefined, (c) => c.connectionsAccepted);
  fromCounters("wf_events_upgrades_refused_total", "Upgrades refused, by HTTP status", "status", (c) => c.upgradesRefused);
  fromCounters("wf_events_deliveries_total", "Events written or queued to browsers", undefined, (c) => c.deliveries);
  fromCounters("wf_events_gaps_total", "Gap frames sent to browsers, by reason", "reason", (c) => c.gaps);
  fromCounters("wf_events_drops_total", "Events slow connections did not get, by policy", "reason", (c) => c.drops);
  fromCounters("wf_events_slow_consumer_disconnects_total", "Connections closed with 4008", undefined, (c) => c.slowConsumerDisconnects);
  fromCounters("wf_events_recoveries_total", "Subscribes with since, by result", "result", (c) => c.recoveries);
  fromCounters("wf_events_rate_limited_total", "Ops refused with rate_limited", undefined, (c) => c.rateLimited);
  fromCounters("wf_events_bad_frames_total", "Frames answered with bad_request", undefined, (c) => c.badFrames);
  return registry;
}
