import { cookies } from "next/headers";
import { clientAddressOf, publicOriginOf } from "@/lib/app-server/client-address";
import { currentRuntime } from "@/lib/app-server/runtime";
import { tooManySignIns } from "@/lib/app-server/sign-in-refusal";
import { createDashboardSession, readDashboardSession, SESSION_COOKIE, tokensMatch } from "@/lib/dashboard/session";
import { readJsonBody } from "@/lib/http/read-json-body";

export const dynamic = "force-dynamic";

/** A sign-in body holds one token: 4 KiB is plenty, and nothing larger is ever read. */
const SESSION_BODY_LIMIT = 4 * 1024;

/**
 * Signs in to the dashboard: `{ "token": "<EVENTS_DASHBOARD_TOKEN>" }` (JSON, or a plain form post
 * `token=…`; at most 4 KiB, any other body 413 or 415). The right token gets an httpOnly,
 * SameSite=Strict cookie holding a signed, expiring session, which the server keeps until
 * sign-out. Attempts are throttled per client address.
 */
export async function POST(request: Request): Promise<Response> {
  const runtime = currentRuntime();
  if (!runtime) return refuse(503, "unavailable", "The events server is not running");
  if (!sameOrigin(request)) return refuse(403, "forbidden", "Sign in from the dashboard's own page");
  if (!runtime.production) return Response.json({ ok: true, note: "Development: the dashboard needs no token" });
  const expected = runtime.config.dashboardToken;
  if (!expected) return refuse(403, "forbidden", "The dashboard is closed: set EVENTS_DASHBOARD_TOKEN");

  const address = clientAddressOf(request.headers);
  const attempt = runtime.signInThrottle.attempt(address);
  if (!attempt.allowed) return tooManySignIns(runtime.refusals, address, attempt.retryAfterMs);

  const body = await readJsonBody(request, { limit: SESSION_BODY_LIMIT, route: "/api/dashboard/session", form: true });
  if (!body.ok) return withNoStore(body.response);
  const given = tokenFrom(body.value);
  if (given === undefined || !tokensMatch(given, expected)) {
    const wait = runtime.signInThrottle.waitOf(address);
    if (wait > 0) return tooManySignIns(runtime.refusals, address, wait, "That is not the dashboard token. ");
    return refuse(401, "unauthorized", "That is not the dashboard token");
  }
  attempt.succeeded();

  const session = createDashboardSession(runtime.config.secretKey, expected);
  try {
    await runtime.sessions.add(session.id, session.expiresAt);
  } catch {
    return refuse(503, "unavailable", "The session store (Redis) cannot be reached: try again shortly");
  }
  (await cookies()).set(SESSION_COOKIE, session.cookie, {
    httpOnly: true,
    sameSite: "strict",
    secure: isHttps(request),
    path: "/",
    maxAge: Math.floor((session.expiresAt - Date.now()) / 1_000),
  });
  // A plain form post (no JavaScript) goes back to the dashboard.
  if (body.type === "form") return new Response(null, { status: 303, headers: { location: "/" } });
  return Response.json({ ok: true, expiresAt: session.expiresAt });
}

/**
 * Signs out: the session is revoked on the server (a copy of the cookie stops working, on every
 * instance when sessions live in Redis) and its monitor connections here are closed.
 */
export async function DELETE(request: Request): Promise<Response> {
  if (!sameOrigin(request)) return refuse(403, "forbidden", "Sign out from the dashboard's own page");
  const jar = await cookies();
  const runtime = currentRuntime();
  const { dashboardToken, secretKey } = runtime?.config ?? {};
  const session = runtime && dashboardToken && secretKey ? readDashboardSession(jar.get(SESSION_COOKIE)?.value, secretKey, dashboardToken) : undefined;
  if (runtime && session) {
    try {
      await runtime.sessions.revoke(session.id);
    } catch {
      return refuse(503, "unavailable", "The session store (Redis) cannot be reached: the session could not be revoked, try again");
    }
    runtime.transport?.endMonitorSession(session.id);
  }
  jar.delete(SESSION_COOKIE);
  return Response.json({ ok: true });
}

function tokenFrom(body: unknown): string | undefined {
  const token = typeof body === "object" && body !== null ? (body as { token?: unknown }).token : undefined;
  return typeof token === "string" ? token : undefined;
}

/**
 * Browsers send Origin on POST: a sign-in from another site is refused. The app's own host is
 * the one server.ts stamped (the proxy's X-Forwarded-Host under EVENTS_TRUST_PROXY).
 */
function sameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin) return true;
  const own = publicOriginOf(request.headers)?.host ?? request.headers.get("host");
  try {
    return new URL(origin).host === own;
  } catch {
    return false;
  }
}

/**
 * The cookie is `Secure` when the client came over HTTPS: to this server directly, or to the
 * proxy under EVENTS_TRUST_PROXY. A forwarded header counts only with trust: server.ts removes
 * it otherwise.
 */
function isHttps(request: Request): boolean {
  return publicOriginOf(request.headers)?.protocol === "https:";
}

function withNoStore(response: Response): Response {
  response.headers.set("cache-control", "no-store");
  return response;
}

function refuse(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status, headers: { "cache-control": "no-store" } });
}
