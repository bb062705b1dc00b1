import { createHmac, timingSafeEqual } from "node:crypto";

/** How long a monitor token is valid unless the issuer says otherwise. @default 5 minutes */
export const MONITOR_TOKEN_TTL_MS = 5 * 60_000;

const PURPOSE = "wf-events.monitor.v1";

/**
 * Issues a monitor token: `<expiry ms, base36>.<HMAC-SHA256 of purpose and expiry, base64url>`.
 * Short-lived, bound to SECRET_KEY, and carrying nothing secret itself.
 */
export function createMonitorToken(secret: string, ttlMs = MONITOR_TOKEN_TTL_MS, now = Date.now()): string {
  const expires = (now + ttlMs).toString(36);
  return `${expires}.${sign(secret, expires)}`;
}

export type TokenCheck = { ok: true; expiresAt: number } | { ok: false; reason: "malformed" | "bad-signature" | "expired" };

/** Checks a token's signature in constant time, then its expiry. */
export function verifyMonitorToken(token: string, secret: string, now = Date.now()): TokenCheck {
  const dot = token.indexOf(".");
  if (dot <= 0 || dot === token.length - 1) return { ok: false, reason: "malformed" };
  const expires = token.slice(0, dot);
  // The encoded texts are compared, not decoded bytes: a lenient decoder would accept other spellings.
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(sign(secret, expires));
  // timingSafeEqual needs equal lengths; comparing against itself keeps the time constant anyway.
  const sameLength = given.length === expected.length;
  const matches = timingSafeEqual(sameLength ? given : expected, expected) && sameLength;
  if (!matches) return { ok: false, reason: "bad-signature" };
  const expiresAt = parseInt(expires, 36);
  if (!Number.isSafeInteger(expiresAt)) return { ok: false, reason: "malformed" };
  if (expiresAt <= now) return { ok: false, reason: "expired" };
  return { ok: true, expiresAt };
}

function sign(secret: string, expires: string): string {
  return createHmac("sha256", secret).update(`${PURPOSE}:${expires}`).digest("base64url");
}
