// Server only: what the dashboard page hands its client store (a Client Component importing it fails to build).
import "server-only";
import type { AppRuntime } from "@/lib/app-server/runtime";
import { events } from "@/lib/events";
import { createMonitorToken } from "@/lib/events/server/monitor-token";
import type { DeclarationInfo } from "@/lib/events/core/declarations";
import type { DashboardInit } from "./store";
import { filtersFromSearch } from "./trace-filters";

/** Per event, the browsers it reaches now: subscribed by name or by a pattern that matches it. */
function reachOfEvents(transport: NonNullable<AppRuntime["transport"]>, declarations: readonly DeclarationInfo[]): Record<string, number> {
  return Object.fromEntries(declarations.filter((info) => info.kind === "event").map((info) => [info.name, transport.reachOf(info.name)]));
}

/** The page's monitor token lives this long; reconnects fetch fresh ones from the token route. */
export const PAGE_TOKEN_TTL_MS = 5 * 60_000;

/**
 * The first registry snapshot (declarations, live subscribers), the server's instance, the
 * filters from the URL, and a short-lived monitor token (null when events are off).
 */
export function firstSnapshot(
  runtime: AppRuntime,
  search: Record<string, string | string[] | undefined>,
  session: string | undefined,
): { init: DashboardInit; monitorToken: string | null } {
  const { transport, config } = runtime;
  const now = Date.now();
  // Through JSON: only plain data may cross to a Client Component (a schema exported by another
  // module copy, as after a hot reload, may not be a plain object).
  const declarations = JSON.parse(JSON.stringify(events.snapshot())) as DeclarationInfo[];
  return {
    init: {
      declarations,
      subscribers: transport ? reachOfEvents(transport, declarations) : {},
      server: { instance: transport?.instance ?? null, startedAt: transport?.startedAt ?? runtime.startedAt },
      filters: filtersFromSearch(search),
      renderedAt: now,
      recordingReplay: !runtime.production,
    },
    monitorToken: transport ? createMonitorToken(config.secretKey, { ttlMs: PAGE_TOKEN_TTL_MS, now, session, dashboardToken: config.dashboardToken }) : null,
  };
}
