import type { BusAdapter } from "./adapter";
import type { Measurement } from "./bus-types";
import type { Logger } from "./logger";
import type { TraceObserver, TraceRecord } from "./trace";

/**
 * Who watches the bus: trace observers (monitors, the dashboard), measurement observers
 * (metrics), and monitors on other instances (through the adapter). A throwing watcher is
 * logged and never disturbs a trigger.
 */
export class Watchers {
  #observers = new Set<TraceObserver>();
  #measures = new Set<(measurement: Measurement) => void>();

  constructor(
    private readonly logger: () => Logger,
    private readonly adapter: () => BusAdapter,
  ) {}

  /** Whether anyone, here or on another instance, wants trace records (they cost a payload preview). */
  get tracing(): boolean {
    return this.#observers.size > 0 || this.adapter().wantsTraces;
  }

  /** Trace observers on this instance. */
  get observerCount(): number {
    return this.#observers.size;
  }

  get measuring(): boolean {
    return this.#measures.size > 0;
  }

  observe(observer: TraceObserver): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  measure(observer: (measurement: Measurement) => void): () => void {
    this.#measures.add(observer);
    return () => this.#measures.delete(observer);
  }

  /** A record of this instance: to other instances' monitors too. */
  trace(record: TraceRecord): void {
    const adapter = this.adapter();
    if (adapter.wantsTraces) adapter.shareTrace(record);
    this.notify(record);
  }

  /** A record for this instance's observers only (e.g. one that came from another instance). */
  notify(record: TraceRecord): void {
    for (const observer of this.#observers) {
      try {
        observer(record);
      } catch (error) {
        this.logger().warn({ err: error }, "A trace observer threw");
      }
    }
  }

  measured(measurement: Measurement): void {
    for (const observer of this.#measures) {
      try {
        observer(measurement);
      } catch (error) {
        this.logger().warn({ err: error }, "A measurement observer threw");
      }
    }
  }
}
