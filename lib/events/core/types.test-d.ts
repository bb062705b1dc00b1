/**
 * Type tests: checked by `tsc --noEmit` (part of `npm test`). Every `@ts-expect-error` line must
 * fail to compile; if it ever compiled, tsc would report the directive as unused.
 */
import { z } from "zod";
import { EventBus, type DeliveryReport, type NamedEvent } from "./bus";
import type { EventStream } from "./event-stream";

interface Events {
  "model:created": { id: number; value: string };
  "cache:cleared": undefined;
  [other: string]: unknown;
}
interface Queries {
  "model:count": { data: void; result: number };
  "search": { data: string; result: string[]; singleton: false };
  [other: string]: { data: unknown; result: unknown; singleton?: boolean };
}

type Closed<E> = { [K in keyof E as string extends K ? never : K]: E[K] };
const bus = new EventBus<Closed<Events>, Closed<Queries>>();

// ── names come from the map ──
void bus.trigger("model:created", { id: 1, value: "a" });
// @ts-expect-error an undeclared name does not compile
void bus.trigger("model:creatd", { id: 1, value: "a" });
// @ts-expect-error nor does listening to one
bus.listen("nope");
// @ts-expect-error nor requesting one
void bus.request("model:cuont");

// ── payloads come from the map ──
// @ts-expect-error a wrong payload does not compile
void bus.trigger("model:created", { id: "1", value: "a" });
// @ts-expect-error a missing payload does not compile
void bus.trigger("model:created");
void bus.trigger("cache:cleared"); // events with no data need no argument
void bus.trigger("model:created", { id: 1, value: "a" }, { source: "monitor" });

// ── handlers take exactly one argument, typed ──
bus.event("model:created", (model) => model.id.toFixed());
// @ts-expect-error a handler of no argument does not compile
bus.event("model:created", () => 1);
// @ts-expect-error a handler of two arguments does not compile
bus.event("model:created", (model, extra) => [model, extra]);
// @ts-expect-error a handler reading a field the payload lacks does not compile
bus.event("model:created", (model) => model.missing);

// ── queries: data in, result out ──
const total: Promise<number> = bus.request("model:count");
const hits: Promise<string[][]> = bus.request("search", "term", { timeout: 100 });
bus.query("model:count", async (_) => 3);
// @ts-expect-error a handler returning the wrong type does not compile
bus.query("model:count", async (_) => "3");
// @ts-expect-error a query's data is checked
void bus.request("search", 42);
// @ts-expect-error a singleton query resolves to one value, not a list
const wrongShape: Promise<number[]> = bus.request("model:count");

// ── streams are typed ──
const stream: EventStream<{ id: number; value: string }> = bus.listen("model:created");
const report: Promise<DeliveryReport> = bus.trigger("cache:cleared");
// a pattern's stream carries each matching name with its own payload
const models: EventStream<NamedEvent<"model:created", { id: number; value: string }>> = bus.listen("model:*");
async function consumeEverything(): Promise<void> {
  for await (const item of bus.listen("*")) {
    if (item.name === "model:created") void item.data.value.toUpperCase();
    // @ts-expect-error a pattern's items are named by the map's names only
    if (item.name === "model:typo") return;
  }
}
// @ts-expect-error a star anywhere but the end is not a pattern
bus.listen("mo*del");

// ── a schema types its signal ──
const signal = new EventBus().createSignal("order:paid", { schema: z.object({ orderId: z.string(), cents: z.number() }) });
void signal.trigger({ orderId: "o1", cents: 100 });
// @ts-expect-error the schema's type is enforced
void signal.trigger({ orderId: 1, cents: 100 });
const paid: EventStream<{ orderId: string; cents: number }> = signal.listen();

void [total, hits, wrongShape, stream, report, paid, models, consumeEverything];
