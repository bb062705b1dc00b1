import { EventBus } from "./bus";
import type { RegisteredEvents, RegisteredQueries } from "./types";

// Next compiles route handlers apart from server.ts, so this module is evaluated twice in one
// process. A module-level `new EventBus()` would give each copy its own bus, and a trigger from a
// route handler would never reach the handlers server.ts registered. The one instance lives on
// globalThis under a registry symbol that both copies resolve to the same key.
const BUS_KEY = Symbol.for("webfluid.events.bus");

type GlobalWithBus = typeof globalThis & { [BUS_KEY]?: EventBus };

/** The process's bus, created on first use. */
export function processBus(): EventBus<RegisteredEvents, RegisteredQueries> {
  const scope = globalThis as GlobalWithBus;
  return (scope[BUS_KEY] ??= new EventBus()) as EventBus<RegisteredEvents, RegisteredQueries>;
}
