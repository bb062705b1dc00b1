import { clientAddressOf } from "@/lib/app-server/client-address";
import { currentRuntime } from "@/lib/app-server/runtime";
import { tooManySignIns } from "@/lib/app-server/sign-in-refusal";
import { tokensMatch } from "@/lib/dashboard/session";
import { createMonitorToken, MONITOR_TOKEN_TTL_MS } from "@/lib/events/server/monitor-token";
import { bearerTokenOf } from "@/lib/http/bearer-token";
import { errorResponse } from "@/lib/http/error-response";

export const dynamic = "force-dynamic";

const NO_STORE = { "cache-control": "no-store" };

/**
 * Exchanges the dashboard token for a monitor token, for programs that have no browser session
 * (the `webfluid-events` CLI): `POST` with `Authorization: Bearer <EVENTS_DASHBOARD_TOKEN>`,
 * answered `{ token, expiresAt }`. The same rules as the dashboard's sign-in: development needs no
 * token; production is closed (403) without EVENTS_DASHBOARD_TOKEN; wrong tokens are throttled per
 * client address, in the sign-in's own budget (429 with Retry-After), and compared in constant
 * time. A request with a query string is refused before anything else: a token in a URL ends up
 * in logs and histories. The monitor token belongs to no session, so signing out does not end it:
 * it lasts its 5 minutes, and changing the dashboard token ends it.
 */
export async function POST(request: Request): Promise<Response> {
  if (new URL(request.url).search !== "") {
    return refuse(
      400,
      "bad_request",
      "This route reads nothing from the URL: send the dashboard token as `Authorization: Bearer <token>` (URLs end up in logs and histories; treat a token sent in one as exposed)",
    );
  }
  const runtime = currentRuntime();
  if (!runtime) return refuse(503, "unavailable", "The events server is not running");
  if (!runtime.transport) return refuse(503, "unavailable", "Events are off on this server (EXT_EVENTS=0)");
  const { secretKey, dashboardToken: expected } = runtime.config;
  if (!runtime.production) return issue(secretKey, expected);
  if (!expected) return refuse(403, "forbidden", "The dashboard is closed: set EVENTS_DASHBOARD_TOKEN");

  // No bearer token is no guess: it costs the address nothing.
  const given = bearerTokenOf(request.headers.get("authorization"));
  if (given === undefined) {
    return refuse(401, "unauthorized", "Send the dashboard token: Authorization: Bearer <EVENTS_DASHBOARD_TOKEN>", { "www-authenticate": 'Bearer realm="webfluid-events"' });
  }
  const address = clientAddressOf(request.headers);
  const attempt = runtime.signInThrottle.attempt(address);
  if (!attempt.allowed) return tooManySignIns(runtime.refusals, address, attempt.retryAfterMs);
  if (!tokensMatch(given, expected)) {
    const wait = runtime.signInThrottle.waitOf(address);
    if (wait > 0) return tooManySignIns(runtime.refusals, address, wait, "That is not the dashboard token. ");
    return refuse(401, "unauthorized", "That is not the dashboard token", { "www-authenticate": 'Bearer realm="webfluid-events", error="invalid_token"' });
  }
  attempt.succeeded();
  return issue(secretKey, expected);
}

function issue(secretKey: string, dashboardToken: string | undefined): Response {
  const now = Date.now();
  const token = createMonitorToken(secretKey, { now, dashboardToken });
  return Response.json({ token, expiresAt: now + MONITOR_TOKEN_TTL_MS }, { headers: NO_STORE });
}

function refuse(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return errorResponse(status, code, message, { ...NO_STORE, ...headers });
}
