import { cookies } from "next/headers";
import { currentRuntime } from "@/lib/app-server/runtime";
import { createDashboardSession, SESSION_COOKIE, SESSION_TTL_MS, tokensMatch } from "@/lib/dashboard/session";
import { readJsonBody } from "@/lib/http/read-json-body";

export const dynamic = "force-dynamic";

/** A sign-in body holds one token: 4 KiB is plenty, and nothing larger is ever read. */
const SESSION_BODY_LIMIT = 4 * 1024;

/**
 * Signs in to the dashboard: `{ "token": "<EVENTS_DASHBOARD_TOKEN>" }` (JSON, or a plain form post
 * `token=…`; at most 4 KiB, any other body 413 or 415).
 * The right token gets an httpOnly, SameSite=Strict cookie holding a signed, expiring session.
 */
export async function POST(request: Request): Promise<Response> {
  const runtime = currentRuntime();
  if (!runtime) return refuse(503, "unavailable", "The events server is not running");
  if (!sameOrigin(request)) return refuse(403, "forbidden", "Sign in from the dashboard's own page");
  if (!runtime.production) return Response.json({ ok: true, note: "Development: the dashboard needs no token" });
  const expected = runtime.config.dashboardToken;
  if (!expected) return refuse(403, "forbidden", "The dashboard is closed: set EVENTS_DASHBOARD_TOKEN");

  const body = await readJsonBody(request, { limit: SESSION_BODY_LIMIT, route: "/api/dashboard/session", form: true });
  if (!body.ok) return withNoStore(body.response);
  const given = tokenFrom(body.value);
  if (given === undefined || !tokensMatch(given, expected)) return refuse(401, "unauthorized", "That is not the dashboard token");

  const now = Date.now();
  (await cookies()).set(SESSION_COOKIE, createDashboardSession(runtime.config.secretKey, expected, now), {
    httpOnly: true,
    sameSite: "strict",
    secure: isHttps(request),
    path: "/",
    maxAge: Math.floor(SESSION_TTL_MS / 1_000),
  });
  // A plain form post (no JavaScript) goes back to the dashboard.
  if (body.type === "form") return new Response(null, { status: 303, headers: { location: "/" } });
  return Response.json({ ok: true, expiresAt: now + SESSION_TTL_MS });
}

/** Signs out. */
export async function DELETE(request: Request): Promise<Response> {
  if (!sameOrigin(request)) return refuse(403, "forbidden", "Sign out from the dashboard's own page");
  (await cookies()).delete(SESSION_COOKIE);
  return Response.json({ ok: true });
}

function tokenFrom(body: unknown): string | undefined {
  const token = typeof body === "object" && body !== null ? (body as { token?: unknown }).token : undefined;
  return typeof token === "string" ? token : undefined;
}

/** Browsers send Origin on POST: a sign-in from another site is refused. */
function sameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin) return true;
  try {
    return new URL(origin).host === request.headers.get("host");
  } catch {
    return false;
  }
}

function isHttps(request: Request): boolean {
  return request.headers.get("x-forwarded-proto") === "https" || new URL(request.url).protocol === "https:";
}

function withNoStore(response: Response): Response {
  response.headers.set("cache-control", "no-store");
  return response;
}

function refuse(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status, headers: { "cache-control": "no-store" } });
}
