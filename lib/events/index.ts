/**
 * Webfluid Events, server side: `import { events } from "@/lib/events"`.
 *
 * @example
 * events.createSignal("model:created", { internal: false });
 * events.event("model:created", (model) => console.log("A new model appeared:", model));
 * events.query("model:count", (_) => db.countModels());
 *
 * await events.trigger("model:created", { id: 1, value: "first" });
 * const total = await events.request("model:count");
 * for await (const model of events.listen("model:created")) console.log(model);
 */
import { processBus } from "./core/global";

/** The one bus of this process, shared by server.ts and every route handler. */
export const events = processBus();

export { EventBus, DEFAULT_BUS_SETTINGS } from "./core/bus";
export type { BusSettings, DeliveryReport, ListenItem, MatchingNames, NamedEvent, NamePattern, HandlerFailure, Measurement, PublicEventSink, RequestOptions, Settled, Signal, TriggerOptions } from "./core/bus";
export type { AdapterState, BusAdapter, InstanceInfo } from "./core/adapter";
export type {
  AuthorizeAction,
  AuthorizeContext,
  AuthorizeHook,
  ConnectionInfo,
  DeclarationInfo,
  DeclareOptions,
  HandlerOptions,
  Kind,
} from "./core/declarations";
export { EventStream, STREAM_OVERFLOW_POLICIES } from "./core/event-stream";
export type { ModuleReloads, ReloadOutcome, RemovedHandler } from "./core/module-evaluations";
export { isNodeModuleRunner, nodeModuleLocator, projectPath } from "./core/stack-frames";
export type { ModuleLocator, StackFrame } from "./core/stack-frames";
export type { ListenOptions, StreamOverflow } from "./core/event-stream";
export * from "./shared/errors";
export type { Logger } from "./core/logger";
export type { StandardSchemaV1, InferInput } from "./core/schema";
export type { TraceRecord, TraceObserver } from "./core/trace";
export type {
  EventHandler,
  EventMap,
  HandlerContext,
  QueryHandler,
  QueryMap,
  QuerySpec,
  Register,
  RegisteredEvents,
  RegisteredQueries,
  Source,
} from "./core/types";
