import type { EventsConfig } from "@/lib/events/config";
import type { EventsTransport } from "@/lib/events/server";

/** What server.ts started, for the pages and route handlers that Next compiles separately. */
export interface AppRuntime {
  config: EventsConfig;
  /** Undefined when EXT_EVENTS is off. */
  transport: EventsTransport | undefined;
  production: boolean;
  startedAt: number;
}

const RUNTIME_KEY = Symbol.for("webfluid.app.runtime");
type GlobalWithRuntime = typeof globalThis & { [RUNTIME_KEY]?: AppRuntime };

export function publishRuntime(runtime: AppRuntime): void {
  (globalThis as GlobalWithRuntime)[RUNTIME_KEY] = runtime;
}

/** The running server's configuration and transport; undefined outside server.ts (e.g. during `next build`). */
export function currentRuntime(): AppRuntime | undefined {
  return (globalThis as GlobalWithRuntime)[RUNTIME_KEY];
}
