/**
 * Protocol v1 of `/ws/events`: every frame both sides exchange. docs/protocol.md describes
 * each with an example; this file is the typed form of that contract, shared by the server,
 * the browser client and the benchmarks. It stands alone: the bus's own types map to these in
 * the transport, so that a change inside the bus cannot change the wire unnoticed.
 */
import type { WireErrorCode } from "../shared/errors";

export const PROTOCOL_VERSION = 1;
export const SUBPROTOCOL = "wf-events.v1";
export const EVENTS_PATH = "/ws/events";

/** Chosen by the client, unique among its pending ops. */
export type Ref = string | number;

// ── client → server ────────────────────────────────────────────────────────

export interface SubscribeOp {
  type: "subscribe";
  ref: Ref;
  /** An event name, or a name pattern (`model:*`, `*`): see name-pattern.ts. */
  event: string;
  /**
   * The last event id this client saw: the server replays what came after it. For a pattern,
   * the last id seen of each concrete name (name → id); names it lacks are replayed from the start
   * of their history (they appeared after the client subscribed).
   */
  since?: string | SinceByName;
  /** Presence-tracked names only: also receive `join` and `leave` frames as others come and go. */
  presence?: boolean;
}

/** A pattern subscription's recovery point: the last id seen of each concrete name. */
export type SinceByName = Record<string, string>;
export interface UnsubscribeOp {
  type: "unsubscribe";
  ref: Ref;
  event: string;
}
export interface TriggerOp {
  type: "trigger";
  ref: Ref;
  event: string;
  data: unknown;
  /**
   * Monitor sessions on a development server only: a trigger fired again by the dashboard's
   * "Replay recording". A production server refuses it (`forbidden`).
   */
  fromRecording?: true;
  /** Monitor sessions only: the id of the trace this fires again (the dashboard's Replay); its trace carries it. */
  replayOf?: string;
}
export interface RequestOp {
  type: "request";
  ref: Ref;
  query: string;
  data: unknown;
  /** ms; the server caps it at its own EVENTS_REQUEST_TIMEOUT. */
  timeout?: number;
  /** Monitor sessions only: the id of the trace this asks again (the dashboard's Replay); its trace carries it. */
  replayOf?: string;
}
export interface DescribeOp {
  type: "describe";
  ref: Ref;
}
export interface PingOp {
  type: "ping";
  ref: Ref;
}
export interface MonitorOp {
  type: "monitor";
  ref: Ref;
  token: string;
  /**
   * "batched": trace records arrive as `traces` frames, many to a frame (a dashboard at 10,000
   * events a second reads 20 frames a second, not 10,000). Without it, one `trace` frame each.
   */
  traces?: "batched";
}
/** Who is subscribed to a presence-tracked event now. */
export interface PresenceOp {
  type: "presence";
  ref: Ref;
  event: string;
}

/** Monitor sessions only: the browser connections of every instance, those matching `search` first. */
export interface ConnectionsOp {
  type: "connections";
  ref: Ref;
  /** Case-insensitive text found in a connection's id, origin, address, user agent, subscriptions or member info. */
  search?: string;
  /** The most listed, per instance. @default 200 */
  limit?: number;
}
/** Monitor sessions only: closes a browser connection (on whichever instance holds it) with 4100. */
export interface DisconnectOp {
  type: "disconnect";
  ref: Ref;
  connection: string;
  /** Why, as the close frame's reason (at most 80 characters). */
  reason?: string;
}

export type ClientOp = SubscribeOp | UnsubscribeOp | TriggerOp | RequestOp | DescribeOp | PingOp | MonitorOp | PresenceOp | ConnectionsOp | DisconnectOp;
export type ClientOpType = ClientOp["type"];

// ── server → client ────────────────────────────────────────────────────────

export interface WelcomeFrame {
  type: "welcome";
  protocol: typeof PROTOCOL_VERSION;
  connection: string;
  /** ms between the server's pings; the client pings when it has heard nothing for this long. */
  heartbeat: number;
  queueSize: number;
  /** Which server instance answered (several run behind a load balancer). */
  instance: string;
  /** When that instance started, ms since the epoch. */
  startedAt: number;
}
export interface EventFrame {
  type: "event";
  event: string;
  id: string;
  data: unknown;
}
export interface GapFrame {
  type: "gap";
  /** The event name, or "*" for a monitor's trace records. */
  event: string;
  missed: number | null;
  reason: "overflow" | "history";
}
/** One member of a presence-tracked event: a connection, and what the app's `identify` hook said of it. */
export interface PresenceMember {
  /** The connection's id (as in its welcome). */
  connection: string;
  /** The hook's answer: JSON the app chose; absent for an anonymous connection. */
  info?: Record<string, unknown>;
}
/** To a connection subscribed with `presence: true`: someone subscribed to the event. */
export interface JoinFrame {
  type: "join";
  event: string;
  member: PresenceMember;
}
/** …and someone left it (unsubscribed, disconnected, or their instance died). */
export interface LeaveFrame {
  type: "leave";
  event: string;
  member: PresenceMember;
}
export interface ErrorFrame {
  type: "error";
  ref: Ref | null;
  code: WireErrorCode;
  message: string;
}
/** Who triggered or requested: the app's server code, a monitor session, or a browser connection. */
export type WireSource = "server" | "monitor" | `client:${string}`;

/** One trigger or request anywhere in the app, for monitor sessions. */
export interface TraceFrame {
  type: "trace";
  kind: "trigger" | "request";
  name: string;
  /** Event id, or request id (`<instance>-r<seq>`); "" for a trigger refused before it got one. */
  id: string;
  internal: boolean;
  source: WireSource;
  /** Start time, ms since the epoch. */
  at: number;
  /** Handlers that ran (for requests across instances, handlers that answered). */
  handlers: number;
  /** Browser connections reached (0 for requests and internal events). */
  delivered: number;
  durationMs: number;
  /** The error message, or null on success. For triggers, the first failing handler's. */
  error: string | null;
  /** The error code, or null on success. */
  code: string | null;
  /** The payload, or a preview string when its JSON is longer than 4096 characters. */
  data: unknown;
  /** Requests only: the reply (previewed like `data`). */
  result?: unknown;
  /** The instance that saw it. */
  instance: string;
  /** A replay from the dashboard: the id of the trace it fired again (absent otherwise). */
  replayOf?: string;
  /**
   * One per handler that ran (triggers) or answer (requests), in the order they started. Absent
   * from servers before spans (and from recordings they made): read it as unknown, not as none.
   */
  spans?: TraceSpan[];
}

/** One handler's run within a trace: a bar of the dashboard's waterfall. */
export interface TraceSpan {
  /** The handler's label (its function's name, or `handler #n`); `instance <id>` for a peer that did not answer. */
  handler: string;
  /** Where it was registered (`events/models.ts:14`), or null. */
  source: string | null;
  /** The instance whose handler ran: another instance's id for an answer from a peer. */
  instance: string;
  /** ms from the trace's `at` to the handler's start. */
  startMs: number;
  durationMs: number;
  outcome: "ok" | "error";
  /** On failure: the error's code and message. */
  code?: string;
  message?: string;
  /** On failure: the server-side stack (at most 4096 characters). Monitor sessions only, as every trace. */
  stack?: string;
  /** Requests: this handler's value (previewed like `data`). */
  value?: unknown;
}

/** What each op's `ok` carries besides `type` and `ref`. */
export interface OkResults {
  subscribe: NameSubscribed | PatternSubscribed;
  unsubscribe: Record<never, never>;
  trigger: { id: string; handlers: number; failed: number; delivered: number };
  request: { data: unknown };
  /** Monitor sessions also get `cluster`: the adapter, its state and every instance. */
  describe: { events: DescribedName[]; queries: DescribedName[]; cluster?: ClusterInfo };
  ping: Record<never, never>;
  /**
   * When the token ends the session unless a fresh one is sent before: `expiresAt` in ms since
   * the epoch, `expiresIn` in ms from now by the server's clock (what a client schedules by).
   */
  monitor: { instance: string; startedAt: number; expiresAt: number; expiresIn: number };
  /** At most MAX_PRESENCE_MEMBERS members; `truncated` when there are more (`count` says how many). */
  presence: { count: number; members: PresenceMember[]; truncated?: true };
  /**
   * The connections found, newest first, and per instance how many it holds in all (`total`) or
   * why it did not answer (`error`): a list can be partial, never silently.
   */
  connections: { connections: WireConnection[]; instances: ConnectionsOfInstance[] };
  /** The instance that held the connection and closed it. */
  disconnect: { instance: string };
}

/** One browser connection, as the `connections` op lists it. */
export interface WireConnection {
  id: string;
  instance: string;
  origin: string | null;
  address: string | null;
  userAgent: string | null;
  /** ms since the epoch. */
  connectedAt: number;
  monitor: boolean;
  /** Names and patterns (`model:*`). */
  subscriptions: string[];
  /** Events waiting in its send queue, and bytes its socket has not sent. */
  queued: number;
  buffered: number;
  /** Events it lost by reading too slowly; `gap` frames it was sent. */
  dropped: number;
  gapsSent: number;
  /** Frames it sent per second, over the last ten seconds. */
  opsPerSecond: number;
  /** What the app's identify hook said about it, when it said anything. */
  member?: Record<string, unknown>;
}

/** How one instance answered a `connections` op. */
export type ConnectionsOfInstance = { instance: string; total: number; listed: number } | { instance: string; error: string };

/** The most connections a `connections` answer lists per instance. */
export const MAX_LISTED_CONNECTIONS = 500;

/** A subscribe's answer for one name. */
export interface NameSubscribed {
  /** Only when `since` was given: true when every missed event follows, in order, before live ones. */
  recovered?: boolean;
  /**
   * The id of the newest event of this name — before the first, the id of the history's start —
   * so a client always has a `since` for its next subscribe and never misses events silently.
   */
  last: string;
}

/** A subscribe's answer for a pattern: each public name it matches now, with what a name's answer carries. */
export interface PatternSubscribed {
  events: (NameSubscribed & { event: string })[];
}

/** The most members a `presence` answer lists. */
export const MAX_PRESENCE_MEMBERS = 1_000;

export type OkFrame<T extends ClientOpType = ClientOpType> = { type: "ok"; ref: Ref } & OkResults[T];

/** One name in a `describe` answer; monitor sessions also get handler, subscriber and counter fields. */
export interface DescribedName {
  name: string;
  kind: "event" | "query";
  internal: boolean;
  singleton: boolean;
  /** The declared schema as JSON Schema, or null. */
  schema: Record<string, unknown> | null;
  description: string | null;
  /** Monitor sessions only. */
  handlers?: number;
  /** Monitor sessions only: triggers or requests, failures, and the last one's time (ms since the epoch, or null). */
  counters?: { count: number; errors: number; lastAt: number | null };
  /** Monitor sessions only: connections subscribed to it. */
  subscribers?: number;
  /** `true` on presence-tracked events (absent otherwise). */
  presence?: boolean;
}

/** `degraded` while Redis is lost: an instance then delivers only to its own connections. */
export type ClusterState = "ready" | "degraded";

/** One instance of the app, in a monitor's `describe`. */
export interface WireInstance {
  id: string;
  startedAt: number;
  /** ms since the epoch of its last heartbeat. */
  seenAt: number;
  state: ClusterState;
  connections: number;
  monitors: number;
  subscribers: Record<string, number>;
  /** Queries it has handlers for, with their handler counts. */
  queries: Record<string, number>;
}

export interface ClusterInfo {
  adapter: "memory" | "redis";
  state: ClusterState;
  instances: WireInstance[];
}

/** Trace records for a monitor that asked for them batched: in the order they happened. */
export interface TracesFrame {
  type: "traces";
  traces: Omit<TraceFrame, "type">[];
}

export type ServerFrame = WelcomeFrame | EventFrame | GapFrame | OkFrame | ErrorFrame | TraceFrame | TracesFrame | JoinFrame | LeaveFrame;

/** Names travel as 1–200 characters; longer ones are refused before any lookup. */
export const MAX_NAME_LENGTH = 200;
/** Client refs longer than this are refused (they are echoed back in every reply). */
export const MAX_REF_LENGTH = 64;
