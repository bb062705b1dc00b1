import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { MemoryAdapter, type AdapterHost, type BusAdapter, type InstanceStatus } from "./adapter";
import {
  DEFAULT_BUS_SETTINGS,
  type BusSettings,
  type DeliveryReport,
  type HandlerFailure,
  type Measurement,
  type PublicEventSink,
  type RequestOptions,
  type Settled,
  type Signal,
  type TriggerOptions,
} from "./bus-types";
import { Declarations, type Declaration, type DeclarationInfo, type DeclareOptions, type HandlerOptions, type Kind } from "./declarations";
import { withDeadline } from "./deadline";
import { ModuleEvaluations, type ModuleReloads, type Owner } from "./module-evaluations";
import type { ModuleLocator } from "./stack-frames";
import type { EventStream, ListenOptions } from "./event-stream";
import { checkSize, toJsonText } from "./json-value";
import { runEventHandlers } from "./run-handler";
import { StreamRegistry, type NamedEvent } from "./stream-registry";
import { isPattern, type MatchingNames, type NamePattern } from "../protocol/name-pattern";
import { answerLocally, collectAnswers, resultOf } from "./run-query";
import { validatePayload, type StandardSchemaV1 } from "./schema";
import { recordOutcome } from "./observation";
import { handlerSource } from "./handler-source";
import { RunSpans } from "./spans";
import { PresenceHub, type PresenceList, type PresenceListener, type PresenceMember } from "./presence";
import { ForbiddenError } from "../shared/errors";
import type { IdentifyHook } from "./types";
import type { TraceObserver } from "./trace";
import { Watchers } from "./watchers";
import { InstanceCommands, type InstanceCommandHandler, type InstanceReply } from "./instance-commands";

import type {
  EventHandler,
  EventMap,
  ExactlyOneArgument,
  HandlerContext,
  PayloadArgs,
  PayloadOf,
  QueryHandler,
  QueryMap,
  RequestArgs,
  RequestResult,
} from "./types";

export * from "./bus-types";

export type { NamePattern, MatchingNames, NamedEvent };
/** What `listen` yields: a name's payloads, or for a pattern each matching event with its name, id and data (narrowed by name). */
export type ListenItem<E, K extends string> = K extends NamePattern ? (string extends keyof E ? NamedEvent<string, E[string & keyof E]> : { [N in MatchingNames<E, K>]: NamedEvent<N, E[N]> }[MatchingNames<E, K>]) : E[K & keyof E];

/**
 * The in-process event bus: declarations, triggers, queries and streams. One instance per
 * process is shared through `globalThis` (see `global.ts`); tests create their own.
 *
 * @example
 * const bus = new EventBus();
 * bus.createSignal("model:created", { internal: false });
 * bus.event("model:created", (model) => console.log("A new model appeared:", model));
 * await bus.trigger("model:created", { id: 1, value: "first" });
 */
export class EventBus<E extends EventMap = EventMap, Q extends QueryMap = QueryMap> {
  #declarations = new Declarations();
  #settings: BusSettings;
  #adapter: BusAdapter;
  #storage = new AsyncLocalStorage<HandlerContext>();
  #streams = new StreamRegistry();
  #watchers = new Watchers(
    () => this.#settings.logger,
    () => this.#adapter,
  );
  #sinks = new Set<PublicEventSink>();
  #requestSeq = 0;
  #unshareable = new Set<string>();
  #presence = new PresenceHub(
    () => this.#adapter,
    (error) => this.#settings.logger.warn({ err: error }, "A presence listener threw"),
  );
  #identify: IdentifyHook | undefined;
  #commands = new InstanceCommands();
  /** What this instance shows in the cluster view besides its queries: whoever serves it says. */
  #status: () => InstanceStatus = () => ({});
  /** Development only (`trackModules`): the evaluations of the modules that register. */
  #modules: ModuleEvaluations | undefined;

  constructor(settings: Partial<BusSettings> = {}) {
    this.#settings = { ...DEFAULT_BUS_SETTINGS, instance: randomBytes(4).toString("hex"), ...settings };
    this.#adapter = new MemoryAdapter(this.#settings.historySize);
    this.#adapter.attach(this.#host);
  }

  get settings(): Readonly<BusSettings> {
    return this.#settings;
  }

  /** This process's name among the app's instances. */
  get instance(): string {
    return this.#settings.instance;
  }

  /** Where ids and history live, and how other instances are reached. */
  get adapter(): BusAdapter {
    return this.#adapter;
  }

  /**
   * Changes settings. With the in-memory adapter a new `historySize` starts a new (empty)
   * history, so set it at startup.
   */
  configure(settings: Partial<BusSettings>): void {
    const historyChanged = settings.historySize !== undefined && settings.historySize !== this.#settings.historySize;
    this.#settings = { ...this.#settings, ...settings };
    if (historyChanged && this.#adapter instanceof MemoryAdapter) this.useAdapter(new MemoryAdapter(this.#settings.historySize, this.#adapter.history.epoch));
  }

  /** Replaces the adapter (e.g. Redis, to share the bus between instances). Do it at startup. */
  useAdapter(adapter: BusAdapter): void {
    this.#adapter = adapter;
    adapter.attach(this.#host);
  }

  // ── declaring ────────────────────────────────────────────────────────────

  /**
   * Declares a broadcast channel. Declaring again with the same flags does nothing.
   * @example events.createSignal("model:created", { internal: false })
   */
  createSignal<N extends string, S extends StandardSchemaV1 | undefined = undefined>(
    name: N,
    options?: DeclareOptions<S>,
  ): Signal<N, PayloadOf<E, N, S>> {
    this.#register(this.createSignal, (owner) => this.#declarations.declare(name, "event", options, owner));
    return {
      name,
      trigger: (...args) => this.#trigger(name, args[0], undefined),
      listen: (listenOptions) => this.#listen(name, listenOptions) as EventStream<PayloadOf<E, N, S>>,
    };
  }

  /**
   * Declares a query without answering it here: in a cluster, some instances answer (say, the
   * report workers) and every instance may ask. Declaring again with the same flags does nothing.
   * @example events.createQuery("report:summary", { internal: false })
   */
  createQuery<N extends keyof Q & string>(name: N, options?: DeclareOptions): void {
    this.#register(this.createQuery, (owner) => this.#declarations.declare(name, "query", options, owner));
  }

  /**
   * Registers a handler for an event (declaring it if needed). Returns the function that removes it.
   * @example events.event("model:created", async (model) => log(`A new model appeared: ${model.id}`))
   */
  event<N extends keyof E & string, H extends EventHandler<E[N]>>(
    name: N,
    handler: H & ExactlyOneArgument<H>,
    options?: DeclareOptions & HandlerOptions,
  ): () => void {
    return this.#register(this.event, (owner) => {
      const declaration = this.#declarations.declare(name, "event", options, owner);
      return this.#declarations.addHandler(declaration, handler as (data: unknown) => unknown, options, owner, handlerSource(this.event));
    });
  }

  /**
   * Registers a query handler (declaring the query if needed; queries are singletons by default).
   * @example events.query("model:count", async (_) => db.count())
   */
  query<N extends keyof Q & string, H extends QueryHandler<Q[N]["data"], Q[N]["result"]>>(
    name: N,
    handler: H & ExactlyOneArgument<H>,
    options?: DeclareOptions & HandlerOptions,
  ): () => void {
    return this.#register(this.query, (owner) => {
      const declaration = this.#declarations.declare(name, "query", options, owner);
      return this.#declarations.addHandler(declaration, handler as (data: unknown) => unknown, options, owner, handlerSource(this.query));
    });
  }

  // ── development ──────────────────────────────────────────────────────────

  /**
   * Development: from now on, whatever a module declares and registers while it evaluates
   * belongs to that module (`locate` finds it on the registering call's stack), and a handler is
   * identified by its place in the module. When the module is evaluated again (Next re-runs an
   * edited route; the dev server re-imports an edited file), what it registers replaces what it
   * registered before, what it no longer registers is removed, and the module may re-declare its
   * names with other flags. Never called in production, where nothing of this is computed.
   * @returns `reevaluate`, for a dev server that re-imports modules itself
   * @example
   * const reloads = events.trackModules(nodeModuleLocator(process.cwd()));
   * await import("./events/index.ts");
   * // …after events/models.ts was saved:
   * await reloads.reevaluate((module) => module.startsWith("events/"), () => import(`./events/index.ts?v=${Date.now()}`));
   */
  trackModules(locate: ModuleLocator): ModuleReloads {
    if (this.#modules) return this.#modules;
    const modules = new ModuleEvaluations(locate, (module, before) => {
      const removed = this.#declarations.sweep(module, before);
      for (const { name, label } of removed) {
        this.#settings.logger.info({ event: name, handler: label, module }, `Removed handler ${label} of "${name}": ${module} no longer registers it`);
      }
      return removed;
    });
    this.#declarations.trackOwners(modules);
    this.#modules = modules;
    return modules;
  }

  /**
   * Runs a declaration or registration with its owner: the module evaluation making it (found
   * above `method` on the stack), when modules are tracked. An evaluation that a refused
   * registration breaks removes nothing when it ends: the module's previous handlers stay.
   */
  #register<T>(method: (...args: never[]) => unknown, register: (owner: Owner | undefined) => T): T {
    const owner = this.#modules?.owner(method);
    if (!owner) return register(undefined);
    try {
      return register(owner);
    } catch (error) {
      this.#modules!.fail(owner);
      throw error;
    }
  }

  // ── triggering ───────────────────────────────────────────────────────────

  /**
   * Runs every handler of `name` (concurrently, each in its own context) and delivers the event
   * to every stream and subscribed browser. A failing handler does not stop the others: its error
   * is logged and listed in the report.
   * @example const { id } = await events.trigger("model:created", { id: 1, value: "first" })
   */
  trigger<N extends keyof E & string>(name: N, ...args: [...PayloadArgs<E[N]>, options?: TriggerOptions]): Promise<DeliveryReport> {
    return this.#trigger(name, args[0], args[1] as TriggerOptions | undefined);
  }

  async #trigger(name: string, data: unknown, options: TriggerOptions | undefined): Promise<DeliveryReport> {
    const declaration = this.#declarations.require(name, "event");
    const at = Date.now();
    const started = performance.now();
    const source = options?.source ?? "server";
    const spans = RunSpans.begin("trigger", name, this.#settings.instance, started, this.#watchers.tracing);
    let payload = data;
    let json: string | undefined;
    try {
      if (declaration.schema) payload = await validatePayload(declaration.schema, data, name);
      if (!declaration.internal) json = checkSize(toJsonText(payload, `Event "${name}"`), this.#settings.maxPayload, `Event "${name}"`);
    } catch (error) {
      this.#countFailure(declaration, at);
      recordOutcome(this.#watchers, { kind: "trigger", declaration, source, at, started, id: "", handlers: 0, delivered: 0, failed: 0, error: { cause: error }, data, spans, replayOf: options?.replayOf });
      throw error;
    }
    let id: string | Promise<string> = this.#adapter.publish(name, json ?? this.#sharedJson(declaration, payload), declaration.internal);
    if (typeof id !== "string") id = await id;
    // Browsers and streams get events of one name in id order: on several instances, an event
    // triggered elsewhere with a lower id may still be on its way here (the adapter waits for it).
    let delivered = 0;
    let streamsDone: ReturnType<StreamRegistry["push"]>;
    const eventId = id;
    const deliverHere = (): void => {
      if (json !== undefined) delivered = this.#deliverToSinks(name, eventId, json);
      streamsDone = this.#streams.push(name, eventId, payload);
    };
    const inOrder = this.#adapter.deliverInOrder(name, id, deliverHere);
    if (inOrder) await inOrder;
    const handlers = declaration.handlers;
    const context: HandlerContext = { kind: "event", name, id, source, at };
    const outcome = runEventHandlers(this.#storage, handlers, payload, context, (handler, error) => this.#logHandlerFailure(context, handler, error), spans);
    const failed = Array.isArray(outcome) ? outcome : await outcome;
    if (streamsDone) await streamsDone;
    declaration.counters.count++;
    declaration.counters.lastAt = at;
    declaration.counters.errors += failed.length;
    const firstFailure = failed[0];
    recordOutcome(this.#watchers, {
      kind: "trigger",
      declaration,
      source,
      at,
      started,
      id,
      handlers: handlers.length,
      delivered,
      failed: failed.length,
      ...(firstFailure ? { error: { cause: firstFailure.error, handler: firstFailure.handler } } : {}),
      data: payload,
      json,
      spans,
      replayOf: options?.replayOf,
    });
    return { id, name, handlers: handlers.length, failed: failed.length, delivered, failures: failed };
  }

  #logHandlerFailure(context: HandlerContext, handler: string, error: unknown): HandlerFailure {
    this.#settings.logger.error({ event: context.name, id: context.id, handler, err: error }, `Handler ${handler} of "${context.name}" failed`);
    return { handler, error };
  }

  #deliverToSinks(name: string, id: string, json: string): number {
    let delivered = 0;
    for (const sink of this.#sinks) {
      try {
        delivered += sink.deliver(name, id, json);
      } catch (error) {
        this.#settings.logger.error({ event: name, id, err: error }, `Delivering "${name}" to browsers failed`);
      }
    }
    return delivered;
  }



  // ── queries ──────────────────────────────────────────────────────────────

  /**
   * Asks a query. A singleton query resolves to its handler's value; any other to the list of
   * all handlers' values, in registration order. Rejects with `no_handler` when nobody answers,
   * `handler_error` when a handler throws, `timeout` past the timeout or on abort.
   * @example const total = await events.request("model:count")
   */
  request<N extends keyof Q & string>(name: N, ...args: RequestArgs<Q[N]["data"], RequestOptions>): Promise<RequestResult<Q[N]>> {
    return this.#request(name, args[0], args[1], false) as Promise<RequestResult<Q[N]>>;
  }

  /**
   * Like `request`, but never rejects because of a handler: one `{ ok, value | error }` per
   * handler, for callers that want partial results. Unknown names, bad payloads and timeouts still reject.
   */
  requestSettled<N extends keyof Q & string>(
    name: N,
    ...args: RequestArgs<Q[N]["data"], RequestOptions>
  ): Promise<Settled<Awaited<Q[N]["result"]>>[]> {
    return this.#request(name, args[0], args[1], true) as Promise<Settled<Awaited<Q[N]["result"]>>[]>;
  }

  async #request(name: string, data: unknown, options: RequestOptions | undefined, settled: boolean): Promise<unknown> {
    const declaration = this.#declarations.require(name, "query");
    const at = Date.now();
    const started = performance.now();
    const source = options?.source ?? "server";
    const id = `${this.#settings.instance}-r${++this.#requestSeq}`;
    const spans = RunSpans.begin("request", name, this.#settings.instance, started, this.#watchers.tracing);
    spans?.identify(id);
    let outcomes: Settled<unknown>[] = [];
    let result: unknown;
    try {
      const payload = declaration.schema ? await validatePayload(declaration.schema, data, name) : data;
      outcomes = await collectAnswers({
        declaration,
        data: payload,
        context: { kind: "query", name, id, source, at },
        timeoutMs: options?.timeout ?? this.#settings.requestTimeout,
        signal: options?.signal,
        storage: this.#storage,
        adapter: this.#adapter,
        spans,
      });
      result = settled ? outcomes : resultOf(declaration, outcomes, this.#settings.logger, id);
    } catch (error) {
      this.#countFailure(declaration, at);
      recordOutcome(this.#watchers, { kind: "request", declaration, source, at, started, id, handlers: outcomes.length, delivered: 0, failed: 0, error: { cause: error }, data, spans, replayOf: options?.replayOf });
      throw error;
    }
    declaration.counters.count++;
    declaration.counters.lastAt = at;
    recordOutcome(this.#watchers, { kind: "request", declaration, source, at, started, id, handlers: outcomes.length, delivered: 0, failed: 0, data, result, spans, replayOf: options?.replayOf });
    return result;
  }

  // ── streams ──────────────────────────────────────────────────────────────

  /**
   * Consumes an event as an async stream, bounded by the queue size. With a pattern (`model:*`,
   * `*`), every event whose name it matches — internal ones too, and names declared later — each
   * item carrying its name and id.
   * @example
   * for await (const model of events.listen("model:created", { signal })) save(model);
   * for await (const { name, data } of events.listen("model:*")) audit(name, data);
   */
  listen<K extends (keyof E & string) | NamePattern>(name: K, options?: ListenOptions): EventStream<ListenItem<E, K>> {
    // The item type depends on K, which the compiler cannot follow into the registry.
    const stream = isPattern(name) ? this.#streams.openPattern(name, this.#settings.queueSize, options ?? {}) : this.#listen(name, options);
    return stream as unknown as EventStream<ListenItem<E, K>>;
  }

  #listen(name: string, options: ListenOptions = {}): EventStream<unknown> {
    this.#declarations.require(name, "event");
    return this.#streams.open(name, this.#settings.queueSize, options);
  }


  /** Open `listen` streams, by name (for leak checks and the dashboard). */
  streamCount(name?: string): number {
    return this.#streams.count(name);
  }


  // ── introspection ────────────────────────────────────────────────────────

  /** Inside a handler: what it is handling. Outside: undefined. */
  context(): HandlerContext | undefined {
    return this.#storage.getStore();
  }

  /** Every declared name with its kind, flags, handler count, JSON Schema and counters. */
  snapshot(): DeclarationInfo[] {
    return [...this.#declarations.all()].map((declaration) => this.#declarations.info(declaration)).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The declaration of `name` (event or query), or undefined. */
  find(name: string): Declaration | undefined {
    return this.#declarations.get(name);
  }

  /** Looks a name up as `kind`, limited to what `visible` admits; throws `not_found` with a suggestion. */
  lookup(name: string, kind: Kind, visible?: (declaration: Declaration) => boolean): Declaration {
    return this.#declarations.require(name, kind, visible);
  }

  /**
   * Calls `observer` with a small measurement after every trigger and request (for metrics):
   * unlike `observe`, it costs no payload preview. Returns the unsubscribe.
   */
  measure(observer: (measurement: Measurement) => void): () => void {
    return this.#watchers.measure(observer);
  }

  /** Calls `observer` with a trace record after every trigger and request. Returns the unsubscribe. */
  observe(observer: TraceObserver): () => void {
    return this.#watchers.observe(observer);
  }

  /**
   * Registers what this instance shows in the cluster view besides its queries (a server reports
   * its connections, say): a JSON-safe record the bus passes on without reading. Returns the
   * function that unregisters it.
   */
  reportStatus(provider: () => InstanceStatus): () => void {
    this.#status = provider;
    return () => {
      if (this.#status === provider) this.#status = () => ({});
    };
  }

  // ── instance commands ───────────────────────────────────────────────────

  /**
   * Answers an operations command on this instance (not an app query: never declared, traced or
   * counted). Returns the function that stops answering it.
   */
  onInstanceCommand(name: string, handler: InstanceCommandHandler): () => void {
    return this.#commands.on(name, handler);
  }

  /** Asks every live instance (this one included) a command; each answers, fails or times out on its own. */
  askInstances<T>(name: string, data: unknown, timeoutMs: number): Promise<InstanceReply<T>[]> {
    return this.#commands.ask<T>(name, data, this.#settings.instance, this.#adapter, timeoutMs);
  }

  // ── presence ─────────────────────────────────────────────────────────────

  /**
   * Says who a browser connection is, for presence: `hook` gets the connection's upgrade request
   * (cookies, headers) and returns JSON-safe member info, or null for an anonymous connection.
   * Members carry exactly what it returned, nothing else.
   * @example
   * events.identify(async (request) => {
   *   const user = await sessions.userOf(request.headers.cookie);
   *   return user ? { id: user.id, name: user.name } : null;
   * });
   */
  identify(hook: IdentifyHook): void {
    this.#identify = hook;
  }

  /** The hook `identify` registered, for the transport. */
  get identifyHook(): IdentifyHook | undefined {
    return this.#identify;
  }

  /**
   * Who is subscribed to a presence-tracked event, on every instance (this one's first): the
   * count, and at most 1,000 members. (Other instances' members are mirrored here: no round trip.)
   * @example const { count, members } = events.presence("room:lobby");
   */
  presence<N extends keyof E & string>(name: N): PresenceList {
    this.#requirePresence(name);
    return this.#presence.list(name);
  }

  /** A transport's connection subscribed to a presence-tracked event: it is a member now. */
  presenceJoin(name: string, member: PresenceMember): void {
    this.#requirePresence(name);
    this.#presence.join(name, member);
  }

  /** …and left it (unsubscribed, or disconnected). */
  presenceLeave(name: string, connection: string): void {
    this.#presence.leave(name, connection);
  }

  /** Calls `listener` on every join and leave, on any instance. Returns the unsubscribe. */
  onPresence(listener: PresenceListener): () => void {
    return this.#presence.listen(listener);
  }

  #requirePresence(name: string): void {
    const declaration = this.#declarations.require(name, "event");
    if (!declaration.presence) throw new ForbiddenError(`"${name}" is not presence-tracked: declare it with presence: true`);
  }

  /** The internal names, for a transport that must keep them out of what browsers read. */
  internalNames(): string[] {
    return [...this.#declarations.all()].filter((declaration) => declaration.internal).map((declaration) => declaration.name);
  }

  /** Queries this instance has handlers for, with their counts: what peers may forward here. */
  #queryHandlerCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const declaration of this.#declarations.all()) {
      if (declaration.kind === "query" && declaration.handlers.length > 0) counts[declaration.name] = declaration.handlers.length;
    }
    return counts;
  }

  /** Attaches a transport that delivers public events to browsers. Returns the detach function. */
  attachSink(sink: PublicEventSink): () => void {
    this.#sinks.add(sink);
    return () => this.#sinks.delete(sink);
  }

  /**
   * Internal events cross to other instances (for their `listen` streams) only as JSON. A payload
   * JSON cannot carry stays on this instance: said once per name, never silently.
   */
  #sharedJson(declaration: Declaration, payload: unknown): string | undefined {
    if (this.#adapter.kind === "memory" || !declaration.internal) return undefined;
    try {
      return toJsonText(payload, `Event "${declaration.name}"`);
    } catch (error) {
      if (!this.#unshareable.has(declaration.name)) {
        this.#unshareable.add(declaration.name);
        this.#settings.logger.warn({ event: declaration.name, err: error }, `"${declaration.name}" carries data JSON cannot hold: it reaches this instance's streams only`);
      }
      return undefined;
    }
  }

  /** What the adapter may call: deliveries, gaps, queries and traces from other instances. */
  #host: AdapterHost = {
    instance: () => this.#settings.instance,
    deliverRemote: (name, id, json, internal) => {
      if (!internal) this.#deliverToSinks(name, id, json);
      if (this.#streams.has(name)) void this.#streams.push(name, id, JSON.parse(json));
    },
    reportGap: (name, missed) => {
      for (const sink of this.#sinks) sink.gap(name, missed);
      this.#streams.addMissed(name, missed ?? 0);
    },
    reportHistoryLost: () => {
      for (const sink of this.#sinks) sink.historyLost?.();
    },
    answerPeer: async (query, data, timeoutMs, source) => {
      if (InstanceCommands.isCommand(query)) return { outcomes: await this.#commands.answer(query, data, timeoutMs), spans: [] };
      const declaration = this.#declarations.require(query, "query");
      const context: HandlerContext = { kind: "query", name: query, id: `${this.instance}-r${++this.#requestSeq}`, source, at: Date.now() };
      // Always timed: the asker's monitors may want the spans, and only it knows.
      const spans = RunSpans.begin("request", query, this.instance, performance.now(), true)!;
      let failed: unknown;
      try {
        const outcomes = await withDeadline(answerLocally(this.#storage, declaration, data, context, spans), timeoutMs, undefined, `Request "${query}"`);
        return { outcomes, spans: spans.recorded() };
      } catch (error) {
        failed = error;
        throw error;
      } finally {
        spans.end(failed, context.id);
      }
    },
    traceFromPeer: (record) => this.#watchers.notify(record),
    presenceChanged: (name, change, member) => this.#presence.notify(name, change, member),
    localPresence: () => this.#presence.local(),
    describeSelf: () => ({ queries: this.#queryHandlerCounts(), observers: this.#watchers.observerCount, status: this.#safeStatus() }),
  };

  #safeStatus(): InstanceStatus {
    try {
      return this.#status();
    } catch (error) {
      this.#settings.logger.warn({ err: error }, "The status provider threw");
      return {};
    }
  }

  #countFailure(declaration: Declaration, at: number): void {
    declaration.counters.count++;
    declaration.counters.errors++;
    declaration.counters.lastAt = at;
  }

}
