/**
 * Webfluid Events in the browser (and in Node with `ws`), as an ES module:
 * `import { EventManager } from "@/lib/events/client"`. Imports nothing that needs Node, so it is
 * safe in Client Components; pages without a bundler get the same client from the injected
 * `events.js` at `window.wf.ext.events`.
 *
 * @example
 * const events = new EventManager<RegisteredEvents, RegisteredQueries>();
 * await events.subscribe("model:created");
 * events.registerHandler("model:created", (model) => console.log(model));
 */
export { EventManager } from "./event-manager";
export type {
  ClientEventHandler,
  ClientRequestOptions,
  ConnectionsResult,
  DescribeResult,
  EventMeta,
  Gap,
  GapListener,
  MatchingNames,
  NamePattern,
  PresenceMember,
  PresenceResult,
  SubscribeOptions,
  SubscribeResult,
  TriggerResult,
} from "./event-manager";
export { fullJitterBackoff, type Backoff, type FullJitterOptions } from "./backoff";
export { CLIENT_LIMITS, DEFAULT_CLIENT_OPTIONS, defaultUrl, type EventManagerOptions } from "./options";
export type { ConnectionState, StateDetail, StateListener, StateReason } from "./state";
export type { CreateSocket, SocketLike, WebSocketConstructor } from "./socket";
export type { MonitorToken } from "./monitor-sessions";
export type { BrowserEventsApi } from "./browser";
// The error classes, from the Node-free module: `err instanceof NotFoundError` works in a page.
export * from "../shared/errors";
export type { ConnectionsOfInstance, DescribedName, TraceFrame, WireConnection } from "../protocol/frames";
