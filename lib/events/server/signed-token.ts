import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * A signed, expiring token: `<expiry ms, base36>.<subject>.<HMAC-SHA256, base64url>`. The MAC
 * covers a purpose (a token made for one use is never accepted for another), the expiry, the
 * subject (e.g. a session id) and a binding the token itself does not carry (e.g. a hash of the
 * dashboard token, so that changing it invalidates every token made before). It carries nothing
 * secret. Monitor tokens and dashboard sessions are both made here.
 */
export interface TokenSpec {
  secret: string;
  /** What the token is for, e.g. "wf-events.monitor.v2". */
  purpose: string;
  /** Verified but not carried: both sides must know it. @default "" */
  binding?: string;
}

export type TokenCheck = { ok: true; expiresAt: number; subject: string } | { ok: false; reason: "malformed" | "bad-signature" | "expired" };

/** Subjects travel inside the token, so they are restricted to URL- and cookie-safe characters. */
const SUBJECT = /^[A-Za-z0-9_-]{0,64}$/;

export function signToken(spec: TokenSpec, expiresAt: number, subject = ""): string {
  if (!SUBJECT.test(subject)) throw new RangeError(`A token subject must be at most 64 characters of A–Z, a–z, 0–9, _ and -: ${JSON.stringify(subject)}`);
  const expires = Math.floor(expiresAt).toString(36);
  return `${expires}.${subject}.${mac(spec, expires, subject)}`;
}

/** Checks the signature in constant time, then the expiry. */
export function verifyToken(spec: TokenSpec, token: string, now = Date.now()): TokenCheck {
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "malformed" };
  const [expires, subject, given] = parts as [string, string, string];
  if (!expires || !given || !SUBJECT.test(subject)) return { ok: false, reason: "malformed" };
  // The encoded texts are compared, not decoded bytes: a lenient decoder would accept other spellings.
  if (!constantTimeEqual(given, mac(spec, expires, subject))) return { ok: false, reason: "bad-signature" };
  const expiresAt = parseInt(expires, 36);
  if (!Number.isSafeInteger(expiresAt)) return { ok: false, reason: "malformed" };
  if (expiresAt <= now) return { ok: false, reason: "expired" };
  return { ok: true, expiresAt, subject };
}

/**
 * Compares two secrets without leaking, through timing, how much of one matched or how long the
 * other is: both are hashed to equal-length digests first.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/** A stable, non-reversible stand-in for a secret, for bindings. */
export function fingerprint(secret: string): string {
  return sha256(secret).toString("base64url");
}

function mac(spec: TokenSpec, expires: string, subject: string): string {
  return createHmac("sha256", spec.secret)
    .update(`${spec.purpose}:${expires}:${subject}:${spec.binding ?? ""}`)
    .digest("base64url");
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
