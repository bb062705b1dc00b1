import "server-only";
import { randomBytes } from "node:crypto";
import { constantTimeEqual, fingerprint, signToken, verifyToken, type TokenSpec } from "@/lib/events/server/signed-token";

/** The dashboard's session cookie (httpOnly, SameSite=Strict). */
export const SESSION_COOKIE = "wf_dashboard";
/** How long one sign-in lasts. @default 12 hours */
export const SESSION_TTL_MS = 12 * 60 * 60_000;

const PURPOSE = "wf-dashboard.session.v2";

/** One sign-in: its id (what the server keeps, and revokes on sign-out), expiry and cookie value. */
export interface DashboardSession {
  id: string;
  expiresAt: number;
  cookie: string;
}

/**
 * A signed, expiring session cookie (see signed-token.ts) naming a random session id. The MAC is
 * bound to a hash of the dashboard token, so changing EVENTS_DASHBOARD_TOKEN signs everyone out;
 * the id must also still be in the session store (sign-out removes it), so a copied cookie stops
 * working when its session ends.
 */
export function createDashboardSession(secret: string, dashboardToken: string, now = Date.now(), ttlMs = SESSION_TTL_MS): DashboardSession {
  const id = randomBytes(16).toString("base64url");
  const expiresAt = now + ttlMs;
  return { id, expiresAt, cookie: signToken(spec(secret, dashboardToken), expiresAt, id) };
}

/** The session a cookie names, when its signature (checked in constant time) holds and it has not expired. */
export function readDashboardSession(value: string | undefined, secret: string, dashboardToken: string, now = Date.now()): { id: string; expiresAt: number } | undefined {
  if (!value) return undefined;
  const check = verifyToken(spec(secret, dashboardToken), value, now);
  return check.ok && check.subject !== "" ? { id: check.subject, expiresAt: check.expiresAt } : undefined;
}

/** Compares what someone typed with the configured token in constant time (see constantTimeEqual). */
export function tokensMatch(given: string, expected: string): boolean {
  return constantTimeEqual(given, expected);
}

function spec(secret: string, dashboardToken: string): TokenSpec {
  return { secret, purpose: PURPOSE, binding: fingerprint(dashboardToken) };
}
