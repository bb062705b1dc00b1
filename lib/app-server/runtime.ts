import type { EventsConfig } from "@/lib/events/config";
import type { EventsTransport } from "@/lib/events/server";
import type { RefusalLog } from "@/lib/events/server/refusal-log";
import type { SessionStore } from "@/lib/app-server/session-store";
import type { SignInThrottle } from "@/lib/app-server/sign-in-throttle";

/** What server.ts started, for the pages and route handlers that Next compiles separately. */
export interface AppRuntime {
  config: EventsConfig;
  /** Undefined when EXT_EVENTS is off. */
  transport: EventsTransport | undefined;
  production: boolean;
  startedAt: number;
  /** The signed-in dashboard sessions. */
  sessions: SessionStore;
  signInThrottle: SignInThrottle;
  /** Where refusals are counted (metrics) and logged without flooding. */
  refusals: RefusalLog;
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
