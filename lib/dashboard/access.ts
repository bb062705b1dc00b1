import "server-only";
import { readDashboardSession } from "./session";
import type { SessionStore } from "@/lib/app-server/session-store";

/**
 * Who may see the dashboard:
 * - `open`: development, or production with the cookie of a signed-in session;
 * - `login`: production with EVENTS_DASHBOARD_TOKEN set, but no signed-in session;
 * - `closed`: production without EVENTS_DASHBOARD_TOKEN.
 */
export type DashboardAccess = "open" | "login" | "closed";

export interface AccessSettings {
  production: boolean;
  /** EVENTS_DASHBOARD_TOKEN, if set. */
  dashboardToken: string | undefined;
  /** SECRET_KEY: signs the session cookie. */
  secretKey: string;
}

/** The access, and the session it rests on (none in development). */
export interface AccessGrant {
  access: DashboardAccess;
  session: string | undefined;
}

/**
 * Checks the cookie's signature and expiry, then that its session is still signed in: the store
 * is asked last, so forged cookies cost no lookup. A store that cannot answer counts as "no".
 */
export async function dashboardAccess(settings: AccessSettings, sessionCookie: string | undefined, store: SessionStore, now = Date.now()): Promise<AccessGrant> {
  if (!settings.production) return { access: "open", session: undefined };
  if (!settings.dashboardToken) return { access: "closed", session: undefined };
  const session = readDashboardSession(sessionCookie, settings.secretKey, settings.dashboardToken, now);
  if (!session) return { access: "login", session: undefined };
  const live = await store.isLive(session.id).catch(() => false);
  return live ? { access: "open", session: session.id } : { access: "login", session: undefined };
}

/** The HTTP status a dashboard API route answers with when access is not `open`. */
export function refusalStatus(access: Exclude<DashboardAccess, "open">): 401 | 403 {
  return access === "login" ? 401 : 403;
}
