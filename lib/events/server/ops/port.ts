import type { EventBus } from "../../core/bus";
import type { Logger } from "../../core/logger";
import type { EventsConfig } from "../../config/keys";
import type { Connection } from "../connection";
import type { TransportCounters } from "../counters";
import type { Monitors } from "../monitors";
import type { PatternGate } from "../pattern-gate";
import type { PresenceWatch } from "../presence-watch";
import type { SubscriberIndex } from "../subscriber-index";

/** What op handling may use of the transport: its bus, its indexes and its settings, nothing else. */
export interface OpPort {
  readonly bus: EventBus;
  readonly settings: Pick<EventsConfig, "secretKey" | "maxSubscriptions" | "requestTimeoutMs" | "dashboardToken" | "maxPayload">;
  readonly logger: Logger;
  readonly counters: TransportCounters;
  readonly subscribers: SubscriberIndex;
  readonly monitors: Monitors;
  /** The authorize hooks' answers for names received through a pattern. */
  readonly gate: PatternGate;
  /** The connections that hear joins and leaves. */
  readonly presence: PresenceWatch;
  /** This server, as a monitor's `ok` names it. */
  readonly server: { instance: string; startedAt: number };
  /** Whether `trigger` with `fromRecording` is allowed (development servers only). */
  readonly recordingReplay: boolean;
}

/** One op's handler: answers with `ok` itself, or throws an EventsError that becomes the `error`. */
export type OpHandler<Op> = (port: OpPort, connection: Connection, op: Op) => void | Promise<void>;
