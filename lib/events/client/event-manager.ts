import { BadRequestError, ClosedError } from "../shared/errors";
import type { TriggerReport } from "../core/bus-types";
import type { EventMap, PayloadArgs, QueryMap, RequestArgs, RequestResult } from "../core/types";
import type { ClientOpType, EventFrame, GapFrame, JoinFrame, LeaveFrame, OkFrame, OkResults, PresenceMember, TraceFrame } from "../protocol/frames";
import { isPattern, matchesPrefix, type MatchingNames, type NamePattern } from "../protocol/name-pattern";
import type { MonitorToken } from "./monitor-sessions";
import { CLIENT_LIMITS, isPositiveMs, resolveOptions, type EventManagerOptions } from "./options";
import type { OpFields } from "./pending-ops";
import { acquireConnection } from "./registry";
import { callSafely } from "./report";
import type { ConnectionMember, SharedConnection } from "./shared-connection";
import type { ConnectionState, StateDetail, StateListener } from "./state";
import type { SubscribeResult } from "./subscriptions";

/** What a handler learns besides the data. */
export interface EventMeta<N extends string = string> {
  /** The event id (opaque, increasing per name). */
  id: string;
  event: N;
}

export type ClientEventHandler<T = unknown, N extends string = string> = (data: T, meta: EventMeta<N>) => unknown;

export type { NamePattern, MatchingNames };
/** What `subscribe` and `registerHandler` take: an event name, or a pattern. */
export type Subscribable<E> = (keyof E & string) | NamePattern;
/** The concrete names an event of `K` (a name or a pattern) can have. */
export type NamesOf<E, K extends string> = K extends NamePattern ? MatchingNames<E, K> : K;
/** The payload an event of `K` carries: for a pattern, any of its names'. */
export type PayloadOfKey<E, K extends string> = E[NamesOf<E, K> & keyof E];

export type { PresenceMember };

/** Events were lost for this client: its queue overflowed, or history could not replay them. */
export interface Gap {
  /** The event name, or "*" for a monitor's trace records. */
  event: string;
  /** How many, when the server knows. */
  missed: number | null;
  reason: "overflow" | "history";
}
export type GapListener = (gap: Gap) => void;

export interface SubscribeOptions {
  /** Called for every gap in this name's stream, e.g. to refetch what the page shows. */
  onGap?(gap: Gap): void;
  /**
   * Presence-tracked events only: also hear who comes and goes (onJoin and onLeave imply it).
   * The first calls come right after the subscribe, one per member already there.
   */
  presence?: boolean;
  onJoin?(member: PresenceMember): void;
  onLeave?(member: PresenceMember): void;
}

/** Every instance's browser connections, and how each instance answered (a list may be partial, never silently). */
export type ConnectionsResult = OkResults["connections"];

/** Who is subscribed to a presence-tracked event (at most 1,000 listed; `truncated` beyond). */
export type PresenceResult = OkResults["presence"];

export interface ClientRequestOptions {
  /** ms; sent to the server (which may cap it), and enforced locally with a small grace. @default requestTimeout */
  timeout?: number;
  /** Aborting rejects the request with a TimeoutError. */
  signal?: AbortSignal;
}

/** What `trigger` resolves to: the same shape as the server's report (without its failures' errors). */
export type TriggerResult = TriggerReport;
export type DescribeResult = OkResults["describe"];
export type { SubscribeResult };

/**
 * Webfluid Events in the browser: subscribe to public events, trigger them, ask queries. Every
 * manager of a page shares one socket, which reconnects by itself and resumes every subscription
 * where it left off.
 *
 * @example
 * const events = new EventManager();
 * await events.subscribe("model:created");
 * events.registerHandler("model:created", (model, { id }) => console.log(id, model));
 * const summary = await events.request("report:summary");
 */
export class EventManager<E extends EventMap = EventMap, Q extends QueryMap = QueryMap> {
  readonly #connection: SharedConnection;
  /** `requestTimeout`, the only setting that is each manager's own. */
  readonly #timeout: number;
  readonly #member: ConnectionMember;
  readonly #handlers = new Map<string, Set<ClientEventHandler>>();
  readonly #gapCallbacks = new Map<string, Set<GapListener>>();
  readonly #presenceCallbacks = new Map<string, Set<Pick<SubscribeOptions, "onJoin" | "onLeave">>>();
  readonly #gapListeners = new Set<GapListener>();
  readonly #stateListeners = new Set<StateListener>();
  #closed = false;

  /** @throws ConfigError when an option is not allowed (the message names it). */
  constructor(options?: EventManagerOptions) {
    const { connection, manager } = resolveOptions(options);
    this.#timeout = manager.requestTimeout;
    // A plain object of closures, not `this`: it is all the shared connection may call.
    this.#member = {
      onState: (state, detail) => this.#emitState(state, detail),
      onEvent: (frame) => this.#deliver(frame),
      onGap: (frame) => this.#gap(frame),
      onPresence: (frame) => this.#presence(frame),
    };
    this.#connection = acquireConnection(connection);
    this.#connection.join(this.#member);
  }

  /** `connecting`, `connected`, `reconnecting`, or `closed` (for good). */
  get state(): ConnectionState {
    return this.#closed ? "closed" : this.#connection.state;
  }

  /** The detail of the last state change; while connected, what the server's `welcome` said. */
  get stateDetail(): StateDetail {
    return this.#closed ? { reason: "closed-by-client" } : this.#connection.detail;
  }

  /**
   * Calls `listener` on every state change from now on, with a detail that names the reason
   * (`state` and `stateDetail` tell the current one).
   * @returns the function that removes the listener.
   * @example
   * events.onStateChange((state, { reason, retryInMs }) => {
   *   banner.textContent = state === "reconnecting" ? `Reconnecting in ${Math.ceil(retryInMs! / 1000)} s (${reason})` : "";
   * });
   */
  onStateChange(listener: StateListener): () => void {
    this.#stateListeners.add(listener);
    return () => void this.#stateListeners.delete(listener);
  }

  /**
   * Subscribes this manager to a public event, or to every public event a pattern matches
   * (`model:*`: names declared later too). Resolves once the server accepted it (at once when
   * another manager of the page holds it already); rejects with the server's error, e.g.
   * NotFoundError for an unknown or internal name. The subscription survives reconnects, and
   * resumes each name where it left off.
   * @example
   * await events.subscribe("model:created", { onGap: () => reloadModels() });
   * await events.subscribe("model:*");
   * await events.subscribe("room:lobby", { onJoin: (m) => add(m), onLeave: (m) => remove(m) });
   */
  subscribe<K extends Subscribable<E>>(name: K, options: SubscribeOptions = {}): Promise<SubscribeResult> {
    if (this.#closed) return Promise.reject(closedError(`Subscribe "${name}"`));
    const { onGap, onJoin, onLeave } = options;
    const presence = options.presence === true || onJoin !== undefined || onLeave !== undefined;
    if (presence && isPattern(name)) return Promise.reject(new BadRequestError(`Subscribe "${name}": presence is for one event name, not a pattern`));
    if (onGap) this.#gapCallbacks.set(name, (this.#gapCallbacks.get(name) ?? new Set()).add(onGap));
    const watcher = onJoin || onLeave ? { onJoin, onLeave } : undefined;
    if (watcher) this.#presenceCallbacks.set(name, (this.#presenceCallbacks.get(name) ?? new Set()).add(watcher));
    const subscribed = this.#connection.subscribe(name, this.#member, this.#timeout, presence);
    subscribed.catch(() => {
      if (onGap) this.#gapCallbacks.get(name)?.delete(onGap);
      if (watcher) this.#presenceCallbacks.get(name)?.delete(watcher);
    });
    return subscribed;
  }

  /**
   * Who is subscribed to a presence-tracked public event now, on every instance: each member's
   * connection id and what the server's `identify` hook said of it.
   * @example
   * const { count, members } = await events.presence("room:lobby");
   */
  async presence<N extends keyof E & string>(name: N): Promise<PresenceResult> {
    const ok = await this.#call("presence", { event: name }, `Presence "${name}"`, this.#timeout);
    return withoutEnvelope(ok);
  }

  /**
   * Ends this manager's subscription at once: its handlers stay registered but receive nothing
   * more. The socket's own subscription ends when no other manager of the page holds the name.
   * @example
   * await events.unsubscribe("model:created");
   */
  async unsubscribe<K extends Subscribable<E>>(name: K): Promise<void> {
    this.#gapCallbacks.delete(name);
    this.#presenceCallbacks.delete(name);
    if (!this.#closed) this.#connection.unsubscribe(name, this.#member);
  }

  /**
   * Runs `handler` for every event of `name` this manager receives — or, for a pattern, of every
   * name it matches (`meta.event` says which). A name's handlers and its patterns' all run, each
   * once per event. A handler that throws is reported on the console and does not stop the others.
   * @returns the function that removes the handler.
   * @example
   * const off = events.registerHandler("model:created", (model, { id }) => list.add(id, model));
   * events.registerHandler("model:*", (data, { event }) => log(event, data));
   * off();
   */
  registerHandler<K extends Subscribable<E>>(name: K, handler: ClientEventHandler<PayloadOfKey<E, K>, NamesOf<E, K>>): () => void {
    const handlers = this.#handlers.get(name) ?? new Set();
    handlers.add(handler as unknown as ClientEventHandler);
    this.#handlers.set(name, handlers);
    return () => this.removeHandler(name, handler);
  }

  /**
   * Removes a handler registered with `registerHandler`.
   * @example
   * events.removeHandler("model:created", onModel);
   */
  removeHandler<K extends Subscribable<E>>(name: K, handler: ClientEventHandler<PayloadOfKey<E, K>, NamesOf<E, K>>): void {
    const handlers = this.#handlers.get(name);
    if (!handlers?.delete(handler as unknown as ClientEventHandler)) return;
    if (handlers.size === 0) this.#handlers.delete(name);
  }

  /**
   * Calls `listener` for every gap in any of this manager's streams (and in the trace stream of a
   * monitor, as event "*").
   * @returns the function that removes the listener.
   * @example
   * events.onGap(({ event, missed }) => console.warn(`Lost ${missed ?? "some"} ${event} events`));
   */
  onGap(listener: GapListener): () => void {
    this.#gapListeners.add(listener);
    return () => void this.#gapListeners.delete(listener);
  }

  /**
   * Triggers a public event on the server. Resolves with its id and how it went.
   * @example
   * const { id, delivered } = await events.trigger("chat:message", { text: "hi" });
   */
  trigger<N extends keyof E & string>(name: N, ...args: PayloadArgs<E[N]>): Promise<TriggerResult> {
    return this.replay("trigger", name, args[0]);
  }

  /**
   * Monitor sessions only (the dashboard's Replay): triggers `name` with `data` again, or asks
   * it again, its trace marked as a replay of the trace `replayOf` names. `fromRecording`: fired
   * by "Replay recording", which development servers only accept (production answers
   * `forbidden`). A browser that is not a monitor is refused with `forbidden`. (`trigger` is this
   * without a replay: one path for both keeps every page's bundle small.)
   * @example await dashboard.replay("trigger", trace.name, trace.data, trace.id);
   */
  async replay(kind: "trigger", name: string, data: unknown, replayOf?: string, fromRecording?: true): Promise<TriggerResult>;
  async replay(kind: "request", name: string, data: unknown, replayOf: string): Promise<unknown>;
  async replay(kind: "trigger" | "request", name: string, data: unknown, replayOf?: string, fromRecording?: true): Promise<unknown> {
    if (kind === "trigger") return { ...withoutEnvelope(await this.#call(kind, { event: name, data, replayOf, fromRecording }, `Trigger "${name}"`, this.#timeout)), name };
    return (await this.#call(kind, { query: name, data, replayOf }, name, this.#timeout)).data;
  }

  /**
   * Asks a public query. A singleton query resolves to its handler's value, any other to the list
   * of every handler's value. Rejects with the server's error, or a TimeoutError when the timeout
   * passes or `signal` aborts.
   * @example
   * const summary = await events.request("report:summary");
   * const hits = await events.request("search", "tea", { timeout: 2_000, signal });
   */
  async request<N extends keyof Q & string>(name: N, ...args: RequestArgs<Q[N]["data"], ClientRequestOptions>): Promise<RequestResult<Q[N]>> {
    const [data, options = {}] = args as [unknown, ClientRequestOptions?];
    const label = `Request "${name}"`;
    const timeout = options.timeout ?? this.#timeout;
    if (!isPositiveMs(timeout)) {
      throw new BadRequestError(`${label}: option "timeout" is ${String(timeout)}: expected a positive number of ms`);
    }
    const serverTimeout = Math.min(Math.ceil(timeout), CLIENT_LIMITS.maxServerTimeoutMs);
    // The local timer outlives the server's by a little, so that the server's own timeout error
    // (which names the query) wins when the server is alive; the grace never exceeds the timeout itself.
    const grace = Math.min(CLIENT_LIMITS.requestGraceMs, timeout);
    const ok = await this.#call("request", { query: name, data, timeout: serverTimeout }, label, timeout + grace, options.signal);
    return ok.data as RequestResult<Q[N]>;
  }

  /**
   * Lists the events and queries this connection may use, with their flags and payload schemas.
   * @example
   * const { events: names } = await events.describe();
   */
  async describe(): Promise<DescribeResult> {
    const ok = await this.#call("describe", {}, "Describe", this.#timeout);
    // Everything but the envelope: monitor sessions also learn about the cluster.
    return withoutEnvelope(ok);
  }

  /**
   * Monitor sessions only: the browser connections of every instance (newest first, at most
   * `limit` per instance), those matching `search`, and how each instance answered.
   * @example const { connections, instances } = await events.connections({ search: "model:created" });
   */
  async connections(options: { search?: string; limit?: number } = {}): Promise<ConnectionsResult> {
    const ok = await this.#call("connections", { ...options }, "Connections", this.#timeout);
    return withoutEnvelope(ok);
  }

  /**
   * Monitor sessions only: closes a browser connection, on whichever instance holds it, with
   * 4100 and `reason` (its client reconnects and recovers). Resolves to the instance that held it;
   * rejects with NotFoundError when no instance does.
   */
  async disconnect(connection: string, reason?: string): Promise<{ instance: string }> {
    const ok = await this.#call("disconnect", { connection, ...(reason ? { reason } : {}) }, `Disconnect "${connection}"`, this.#timeout);
    return { instance: ok.instance };
  }

  /**
   * Makes the page's connection a monitor session (the dashboard's tap): `onTrace` receives every
   * trigger and request in the app. Pass a function for the token: it is called again after every
   * reconnect, because tokens expire. Gaps in the trace stream reach `onGap` listeners as event "*".
   * @returns the function that stops delivering traces to `onTrace`.
   * @example
   * const stop = await events.monitor(() => fetch("/api/monitor-token").then((r) => r.text()), (trace) => log.push(trace));
   */
  async monitor(token: MonitorToken, onTrace: (trace: TraceFrame) => void): Promise<() => void> {
    if (this.#closed) throw closedError("Monitor");
    const stop = await this.#connection.monitor(this.#member, token, onTrace, this.#timeout);
    if (this.#closed) {
      stop();
      throw closedError("Monitor");
    }
    return stop;
  }

  /**
   * Closes this manager: its subscriptions and handlers go away and its pending ops reject with
   * ClosedError. The page's socket closes (1000) when no other manager uses it.
   * @example
   * useEffect(() => () => events.close(), []);
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connection.leave(this.#member, closedError);
    this.#handlers.clear();
    this.#gapCallbacks.clear();
    this.#presenceCallbacks.clear();
    this.#gapListeners.clear();
    const listeners = [...this.#stateListeners];
    this.#stateListeners.clear();
    for (const listener of listeners) callSafely("A state listener", () => listener("closed", { reason: "closed-by-client" }));
  }

  #call<T extends ClientOpType>(type: T, fields: OpFields<T>, label: string, timeoutMs: number, signal?: AbortSignal): Promise<OkFrame<T>> {
    if (this.#closed) return Promise.reject(closedError(label));
    return this.#connection.call(type, fields, { label, owner: this.#member, timeoutMs, signal });
  }

  #emitState(state: ConnectionState, detail: StateDetail): void {
    if (this.#closed) return;
    for (const listener of [...this.#stateListeners]) callSafely("A state listener", () => listener(state, detail));
  }

  /** The handlers of the event's name, then those of every pattern it matches. */
  #deliver(frame: EventFrame): void {
    const meta: EventMeta = { id: frame.id, event: frame.event };
    for (const [key, handlers] of [...this.#handlers]) {
      if (!covers(key, frame.event)) continue;
      for (const handler of [...handlers]) callSafely(`A handler of "${key}"`, () => handler(frame.data, meta));
    }
  }

  #gap(frame: GapFrame): void {
    const gap: Gap = { event: frame.event, missed: frame.missed, reason: frame.reason };
    for (const [key, callbacks] of [...this.#gapCallbacks]) {
      if (!covers(key, frame.event)) continue;
      for (const callback of [...callbacks]) callSafely(`A gap callback of "${key}"`, () => callback(gap));
    }
    for (const listener of [...this.#gapListeners]) callSafely("A gap listener", () => listener(gap));
  }

  #presence(frame: JoinFrame | LeaveFrame): void {
    for (const watcher of [...(this.#presenceCallbacks.get(frame.event) ?? [])]) {
      const callback = frame.type === "join" ? watcher.onJoin : watcher.onLeave;
      if (callback) callSafely(`A presence callback of "${frame.event}"`, () => callback(frame.member));
    }
  }
}

/** Whether a subscription key (a name, or a pattern) covers events of `name`. */
function covers(key: string, name: string): boolean {
  return key === name || (isPattern(key) && matchesPrefix(key.slice(0, -1), name));
}

function closedError(label: string): ClosedError {
  return new ClosedError(`${label} failed: this EventManager was closed`);
}

/** An `ok` frame's results: everything but its `type` and `ref`. */
function withoutEnvelope<T extends { type: string; ref: unknown }>(ok: T): Omit<T, "type" | "ref"> {
  const { type: _type, ref: _ref, ...result } = ok;
  return result;
}
