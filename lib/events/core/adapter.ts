import type { Settled } from "./bus-types";
import { MemoryHistory, type Replay } from "./history";
import type { PresenceChange, PresenceMember, PresencePort } from "./presence";
import type { Source } from "./types";
import type { HandlerSpan, TraceRecord } from "./trace";

/**
 * Where a bus keeps event ids and history, and how it reaches other instances of the app.
 * The in-memory adapter (the default) serves one process; the Redis adapter shares one bus
 * between several. The bus calls the adapter; the adapter calls back through `AdapterHost`.
 */
export interface BusAdapter extends PresencePort {
  readonly kind: "memory" | "redis";
  /** Whether other instances are reachable now (`degraded` while Redis is lost). */
  readonly state: AdapterState;
  /** The history that event ids name (the part before the last `-`). */
  readonly epoch: string;
  /** Whether monitors elsewhere want this instance's trace records. */
  readonly wantsTraces: boolean;
  /**
   * Gives a triggered event its id. Public events (with `json`) are kept for replay; with other
   * instances, the event is also handed to them (internal ones too when they have `json`).
   */
  publish(name: string, json: string | undefined, internal: boolean): string | Promise<string>;
  /**
   * Runs `deliver` — this instance's delivery of an event it just published — in the name's id
   * order: at once when every earlier event of the name has been delivered here, else once they
   * have (with other instances, an event triggered elsewhere with a lower id may still be on its
   * way). Returns a promise when it had to wait.
   */
  deliverInOrder(name: string, id: string, deliver: () => void): void | Promise<void>;
  /** The newest id of `name` and, when `since` is given, what came after it. */
  since(name: string, since: string | undefined): ReplayFrom | Promise<ReplayFrom>;
  /** Instances other than this one that have handlers for `query` (an empty list without peers). */
  peersAnswering(query: string): readonly string[];
  /** Asks `instances` to run their handlers of `query`; resolves with each one's answers or its failure. */
  askPeers(query: string, data: unknown, instances: readonly string[], timeoutMs: number, source: Source): Promise<PeerAnswer[]>;
  /** Shares a trace record with the other instances' monitors. */
  shareTrace(record: TraceRecord): void;
  /** The instances of the cluster, this one included. */
  instances(): InstanceInfo[];
  attach(host: AdapterHost): void;
  close(): Promise<void>;
}

export type AdapterState = "ready" | "degraded";

export interface ReplayFrom extends Replay {
  /** The id of the newest event (`<epoch>-0` before the first): a client's next `since`. */
  last: string;
}

/** What one peer instance answered to a forwarded request. */
export type PeerAnswer = { instance: string; ok: true; outcomes: Settled<unknown>[]; spans?: HandlerSpan[] } | { instance: string; ok: false; error: unknown };

/** How this instance answered a request forwarded by another: the outcomes, and its handlers' spans (offsets from when it was asked). */
export interface PeerAnswered {
  outcomes: Settled<unknown>[];
  spans: HandlerSpan[];
}

/** What an instance's server reports about itself (its connections, say): JSON the bus does not read. */
export type InstanceStatus = Readonly<Record<string, unknown>>;

export interface InstanceInfo {
  id: string;
  startedAt: number;
  /** ms since the epoch of its last heartbeat. */
  seenAt: number;
  state: AdapterState;
  /** Queries it has handlers for, with their handler counts. */
  queries: Record<string, number>;
  /** Its trace observers (monitors): while another instance has some, this one shares its traces. */
  observers: number;
  /** What its server reported (`bus.reportStatus`). */
  status: InstanceStatus;
}

/** What an adapter may ask of the bus it serves. */
export interface AdapterHost {
  /** This instance's id. */
  instance(): string;
  /** An event published by another instance: deliver it to this instance's browsers and streams. */
  deliverRemote(name: string, id: string, json: string, internal: boolean): void;
  /** Events the adapter could not fetch for this instance (history trimmed during an outage). */
  reportGap(name: string, missed: number | null): void;
  /**
   * The shared history was replaced (Redis lost its data, or failed over to a primary that may
   * lack what the old one acknowledged last): whatever this instance did not hear before is lost
   * for good, for every name, and how much cannot be known. Every subscriber is told.
   */
  reportHistoryLost(): void;
  /** Runs this instance's handlers of `query` for a request forwarded by another instance. */
  answerPeer(query: string, data: unknown, timeoutMs: number, source: Source): Promise<PeerAnswered>;
  /** A trace record from another instance, for this instance's monitors. */
  traceFromPeer(record: TraceRecord & { instance: string }): void;
  /** A member joined or left a presence-tracked event on another instance (or that instance died). */
  presenceChanged(name: string, change: PresenceChange, member: PresenceMember): void;
  /** This instance's own members, to share again (Redis came back). */
  localPresence(): { name: string; member: PresenceMember }[];
  /** This instance's figures for the cluster view. */
  describeSelf(): Omit<InstanceInfo, "id" | "seenAt" | "state" | "startedAt">;
}

/** The default adapter: one process, history in memory, no peers. */
export class MemoryAdapter implements BusAdapter {
  readonly kind = "memory" as const;
  readonly state: AdapterState = "ready";
  readonly wantsTraces = false;
  readonly history: MemoryHistory;
  readonly #startedAt = Date.now();
  #host: AdapterHost | undefined;

  constructor(historySize: number, epoch?: string) {
    this.history = new MemoryHistory(historySize, epoch);
  }

  get epoch(): string {
    return this.history.epoch;
  }

  publish(name: string, json: string | undefined, _internal?: boolean): string {
    return this.history.append(name, json);
  }

  /** One process: ids are given and delivered in the same order. */
  deliverInOrder(_name: string, _id: string, deliver: () => void): void {
    deliver();
  }

  since(name: string, since: string | undefined): ReplayFrom {
    const last = this.history.lastId(name);
    if (since === undefined) return { events: [], recovered: true, missed: null, last };
    return { ...this.history.since(name, since), last };
  }

  peersAnswering(): readonly string[] {
    return [];
  }

  askPeers(): Promise<PeerAnswer[]> {
    return Promise.resolve([]);
  }

  shareTrace(): void {}

  /** One process: nobody else to tell, and no one else's members. */
  sharePresence(): void {}

  remotePresence(): readonly PresenceMember[] {
    return [];
  }

  instances(): InstanceInfo[] {
    if (!this.#host) return [];
    return [{ id: this.#host.instance(), startedAt: this.#startedAt, seenAt: Date.now(), state: "ready", ...this.#host.describeSelf() }];
  }

  attach(host: AdapterHost): void {
    this.#host = host;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
