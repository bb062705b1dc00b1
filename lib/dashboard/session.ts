import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** The dashboard's session cookie (httpOnly, SameSite=Strict). */
export const SESSION_COOKIE = "wf_dashboard";
/** How long one sign-in lasts. @default 12 hours */
export const SESSION_TTL_MS = 12 * 60 * 60_000;

const PURPOSE = "wf-dashboard.session.v1";

/**
 * A signed, expiring session: `<expiry ms, base36>.<HMAC-SHA256, base64url>`. The MAC covers a
 * purpose (so a monitor token is never a session), the expiry, and a hash of the dashboard token
 * (so changing EVENTS_DASHBOARD_TOKEN signs everyone out).
 */
export function createDashboardSession(secret: string, dashboardToken: string, now = Date.now(), ttlMs = SESSION_TTL_MS): string {
  const expires = (now + ttlMs).toString(36);
  return `${expires}.${sign(secret, dashboardToken, expires)}`;
}

/** Checks a session cookie's signature (in constant time), then its expiry. */
export function verifyDashboardSession(value: string | undefined, secret: string, dashboardToken: string, now = Date.now()): boolean {
  if (!value) return false;
  const dot = value.indexOf(".");
  if (dot <= 0 || dot === value.length - 1) return false;
  const expires = value.slice(0, dot);
  if (!constantTimeEqual(value.slice(dot + 1), sign(secret, dashboardToken, expires))) return false;
  const expiresAt = parseInt(expires, 36);
  return Number.isSafeInteger(expiresAt) && expiresAt > now;
}

/**
 * Compares what someone typed with the configured token without leaking, through timing, how
 * much of it was right or how long it is: both sides are hashed to equal-length digests first.
 */
export function tokensMatch(given: string, expected: string): boolean {
  return constantTimeEqual(given, expected);
}

function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

function sign(secret: string, dashboardToken: string, expires: string): string {
  return createHmac("sha256", secret).update(`${PURPOSE}:${expires}:${digest(dashboardToken).toString("base64url")}`).digest("base64url");
}
