import { verifyDashboardSession } from "./session";

/**
 * Who may see the dashboard:
 * - `open`: development, or production with a valid session cookie;
 * - `login`: production with EVENTS_DASHBOARD_TOKEN set, but no valid session yet;
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

export function dashboardAccess(settings: AccessSettings, sessionCookie: string | undefined, now = Date.now()): DashboardAccess {
  if (!settings.production) return "open";
  if (!settings.dashboardToken) return "closed";
  return verifyDashboardSession(sessionCookie, settings.secretKey, settings.dashboardToken, now) ? "open" : "login";
}

/** The HTTP status a dashboard API route answers with when access is not `open`. */
export function refusalStatus(access: Exclude<DashboardAccess, "open">): 401 | 403 {
  return access === "login" ? 401 : 403;
}
