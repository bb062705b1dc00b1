/**
 * Type tests for the client: checked by `tsc --noEmit`. Every `@ts-expect-error` line must fail to
 * compile; if one ever compiled, tsc would report the directive as unused.
 */
import { WebSocket as NodeWebSocket } from "ws";
import { EventManager, NotFoundError, type Gap, type StateDetail, type TriggerResult } from "./index";

// Type aliases, not interfaces: an interface has no index signature, so it is not an EventMap.
type Events = {
  "model:created": { id: number; value: string };
  "model:deleted": { id: number };
  "cache:cleared": undefined;
};
type Queries = {
  "model:count": { data: void; result: number };
  /** Not a singleton: every handler answers, and the request resolves to the list. */
  search: { data: string; result: string; singleton: false };
};

declare const events: EventManager<Events, Queries>;

// ── names and payloads come from the map ──
void events.subscribe("model:created");
// @ts-expect-error an undeclared name does not compile
void events.subscribe("model:creatd");
void events.trigger("model:created", { id: 1, value: "a" });
void events.trigger("cache:cleared");
// @ts-expect-error a payload of the wrong shape does not compile
void events.trigger("model:created", { id: "1", value: "a" });
// @ts-expect-error an event with data needs its data
void events.trigger("model:created");
const triggered: Promise<TriggerResult> = events.trigger("cache:cleared");
void triggered;

// ── handlers get the payload type and the name ──
events.registerHandler("model:created", (model, meta) => {
  const id: number = model.id;
  const name: "model:created" = meta.event;
  const eventId: string = meta.id;
  void [id, name, eventId];
});
// @ts-expect-error the payload is not a string
events.registerHandler("model:created", (model: string) => model);
const off: () => void = events.registerHandler("cache:cleared", () => {});
off();

// ── requests resolve to the query's result ──
const count: Promise<number> = events.request("model:count");
const hits: Promise<string[]> = events.request("search", "tea", { timeout: 1_000 });
// @ts-expect-error the query takes a string
void events.request("search", 42);
// @ts-expect-error an unknown query does not compile
void events.request("model:cuont");
void [count, hits];

// ── subscriptions, gaps and states ──
void events.subscribe("model:created", { onGap: (gap: Gap) => gap.missed });
const offGap: () => void = events.onGap(({ event, reason }) => [event, reason]);
const offState: () => void = events.onStateChange((state, detail: StateDetail) => [state, detail.retryInMs]);
void [offGap, offState];

// ── untyped use, as the injected script does ──
const loose = new EventManager({ url: "ws://localhost:3000/ws/events" });
void loose.subscribe("anything");
loose.registerHandler("anything", (data: unknown) => data);
void loose.trigger("anything", { any: "data" });
void loose.trigger("anything");

// ── both WebSocket classes fit the option ──
void new EventManager({ url: "ws://x/ws/events", WebSocket: NodeWebSocket });
void new EventManager({ url: "ws://x/ws/events", WebSocket: globalThis.WebSocket });

// ── errors come from the Node-free module ──
const error: unknown = undefined;
if (error instanceof NotFoundError) void error.code;

// ── patterns: a name whose last segment is *, typed by the names it matches ──
void events.subscribe("model:*");
void events.subscribe("*");
events.registerHandler("model:*", (data, meta) => {
  const name: "model:created" | "model:deleted" = meta.event;
  const id: number = data.id;
  // @ts-expect-error only model:created carries a value: a pattern's data is any of its names'
  void data.value;
  void [name, id];
});
events.registerHandler("*", (_data, meta) => {
  const name: "model:created" | "model:deleted" | "cache:cleared" = meta.event;
  void name;
});
// @ts-expect-error a pattern's * comes last
void events.subscribe("model:*:x");
