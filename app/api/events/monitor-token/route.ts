import { createMonitorToken, MONITOR_TOKEN_TTL_MS } from "@/lib/events/server/monitor-token";
import { refusalStatus } from "@/lib/dashboard/access";
import { requestAccess } from "@/lib/dashboard/request-access";

export const dynamic = "force-dynamic";

const NO_STORE = { "cache-control": "no-store" };

/**
 * A fresh monitor token for the dashboard (it asks after every reconnect and before the token
 * expires), bound to its session: signing out ends it. 401 until
 * signed in, 403 when the dashboard is closed, 503 when events are off.
 */
export async function GET(): Promise<Response> {
  const { runtime, access, session } = await requestAccess();
  if (!runtime?.transport) {
    return Response.json({ error: { code: "unavailable", message: "Events are off on this server (EXT_EVENTS=0)" } }, { status: 503, headers: NO_STORE });
  }
  if (access !== "open") {
    const status = refusalStatus(access);
    const message = status === 401 ? "Sign in to the dashboard first" : "The dashboard is closed: set EVENTS_DASHBOARD_TOKEN";
    return Response.json({ error: { code: status === 401 ? "unauthorized" : "forbidden", message } }, { status, headers: NO_STORE });
  }
  const now = Date.now();
  const token = createMonitorToken(runtime.config.secretKey, { now, session, dashboardToken: runtime.config.dashboardToken });
  return Response.json({ token, expiresAt: now + MONITOR_TOKEN_TTL_MS }, { headers: NO_STORE });
}
