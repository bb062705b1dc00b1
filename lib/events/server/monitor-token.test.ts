import { describe, expect, it } from "vitest";
import { createMonitorToken, MONITOR_TOKEN_TTL_MS, verifyMonitorToken } from "./monitor-token";

const SECRET = "monitor-token-test-secret-0123456789";
const NOW = 1_750_000_000_000;
const at = (now: number) => ({ now });

/** The token with the character at `index` replaced by another base64url character. */
function withCharacterChanged(token: string, index: number): string {
  const replacement = token[index] === "A" ? "Q" : "A";
  return token.slice(0, index) + replacement + token.slice(index + 1);
}

describe("createMonitorToken", () => {
  it("issues `<expiry ms in base36>.<session>.<HMAC-SHA256 in base64url>`", () => {
    const token = createMonitorToken(SECRET, { ttlMs: 60_000, now: NOW, session: "s3ss10n" });
    expect(token).toMatch(/^[0-9a-z]+\.s3ss10n\.[A-Za-z0-9_-]{43}$/);
    expect(parseInt(token.split(".")[0]!, 36)).toBe(NOW + 60_000);
    expect(createMonitorToken(SECRET, { now: NOW })).toMatch(/^[0-9a-z]+\.\.[A-Za-z0-9_-]{43}$/);
  });

  it("is valid for five minutes by default", () => {
    expect(MONITOR_TOKEN_TTL_MS).toBe(5 * 60_000);
    const token = createMonitorToken(SECRET, { now: NOW });
    expect(verifyMonitorToken(token, SECRET, at(NOW))).toEqual({ ok: true, expiresAt: NOW + MONITOR_TOKEN_TTL_MS, session: "" });
  });

  it("gives the same token for the same secret and expiry, and another for another secret", () => {
    expect(createMonitorToken(SECRET, { ttlMs: 1_000, now: NOW })).toBe(createMonitorToken(SECRET, { ttlMs: 1_000, now: NOW }));
    expect(createMonitorToken(SECRET, { ttlMs: 1_000, now: NOW })).not.toBe(createMonitorToken(`${SECRET}!`, { ttlMs: 1_000, now: NOW }));
  });

  it("refuses a session id that could not travel in the token", () => {
    expect(() => createMonitorToken(SECRET, { session: "a.b" })).toThrow(RangeError);
  });
});

describe("verifyMonitorToken", () => {
  it("accepts a token it issued, until just before it expires, and says which session it belongs to", () => {
    const token = createMonitorToken(SECRET, { ttlMs: 60_000, now: NOW, session: "abc" });
    expect(verifyMonitorToken(token, SECRET, at(NOW))).toEqual({ ok: true, expiresAt: NOW + 60_000, session: "abc" });
    expect(verifyMonitorToken(token, SECRET, at(NOW + 59_999))).toEqual({ ok: true, expiresAt: NOW + 60_000, session: "abc" });
  });

  it("refuses an expired token, from the expiry instant on", () => {
    const token = createMonitorToken(SECRET, { ttlMs: 60_000, now: NOW });
    expect(verifyMonitorToken(token, SECRET, at(NOW + 60_000))).toEqual({ ok: false, reason: "expired" });
    expect(verifyMonitorToken(createMonitorToken(SECRET, { ttlMs: -1_000, now: NOW }), SECRET, at(NOW))).toEqual({ ok: false, reason: "expired" });
  });

  it("checks the signature before the expiry: a forged expired token is a bad signature, not 'expired'", () => {
    const forged = `${(NOW - 1).toString(36)}..${"A".repeat(43)}`;
    expect(verifyMonitorToken(forged, SECRET, at(NOW))).toEqual({ ok: false, reason: "bad-signature" });
  });

  it("refuses a token with a tampered signature", () => {
    const token = createMonitorToken(SECRET, { ttlMs: 60_000, now: NOW });
    const signatureAt = token.lastIndexOf(".") + 1;
    expect(verifyMonitorToken(withCharacterChanged(token, signatureAt), SECRET, at(NOW))).toEqual({ ok: false, reason: "bad-signature" });
    expect(verifyMonitorToken(withCharacterChanged(token, signatureAt + 20), SECRET, at(NOW))).toEqual({ ok: false, reason: "bad-signature" });
    expect(verifyMonitorToken(token.slice(0, -4), SECRET, at(NOW))).toEqual({ ok: false, reason: "bad-signature" });
    expect(verifyMonitorToken(`${token}AAAA`, SECRET, at(NOW))).toEqual({ ok: false, reason: "bad-signature" });
  });

  it("refuses a token whose expiry was pushed out or whose session was swapped (the signature covers both)", () => {
    const token = createMonitorToken(SECRET, { ttlMs: 60_000, now: NOW, session: "mine" });
    const [, session, signature] = token.split(".");
    const extended = `${(NOW + 24 * 3_600_000).toString(36)}.${session}.${signature}`;
    expect(verifyMonitorToken(extended, SECRET, at(NOW))).toEqual({ ok: false, reason: "bad-signature" });
    const swapped = `${token.split(".")[0]}.theirs.${signature}`;
    expect(verifyMonitorToken(swapped, SECRET, at(NOW))).toEqual({ ok: false, reason: "bad-signature" });
  });

  it("refuses a token signed with another secret", () => {
    const token = createMonitorToken("some-other-secret-0123456789", { ttlMs: 60_000, now: NOW });
    expect(verifyMonitorToken(token, SECRET, at(NOW))).toEqual({ ok: false, reason: "bad-signature" });
  });

  it("refuses a token issued under another dashboard token: changing EVENTS_DASHBOARD_TOKEN ends every monitor", () => {
    const token = createMonitorToken(SECRET, { ttlMs: 60_000, now: NOW, dashboardToken: "the-old-dashboard-token" });
    expect(verifyMonitorToken(token, SECRET, { now: NOW, dashboardToken: "the-old-dashboard-token" })).toMatchObject({ ok: true });
    expect(verifyMonitorToken(token, SECRET, { now: NOW, dashboardToken: "the-new-dashboard-token" })).toEqual({ ok: false, reason: "bad-signature" });
    expect(verifyMonitorToken(token, SECRET, at(NOW))).toEqual({ ok: false, reason: "bad-signature" });
  });

  it.each([
    ["an empty string", ""],
    ["no dot", "abcdef"],
    ["one dot (the old format)", "lqz5k3a8.c2lnbmF0dXJl"],
    ["an empty expiry", "..c2lnbmF0dXJl"],
    ["an empty signature", "lqz5k3a8.."],
    ["only dots", ".."],
    ["a session with other characters", "lqz5k3a8.a b.c2lnbmF0dXJl"],
    ["four parts", "lqz5k3a8.a.b.c"],
  ])("refuses a malformed token: %s", (_what, token) => {
    expect(verifyMonitorToken(token, SECRET, at(NOW))).toEqual({ ok: false, reason: "malformed" });
  });

  it("refuses a correctly signed expiry that is not a safe integer as malformed", () => {
    const token = createMonitorToken(SECRET, { ttlMs: Number.MAX_SAFE_INTEGER, now: NOW });
    expect(verifyMonitorToken(token, SECRET, at(NOW))).toEqual({ ok: false, reason: "malformed" });
  });

  it("accepts only the canonical encoding of the signature (no padding, whitespace, +/ or spare bits)", () => {
    const token = createMonitorToken(SECRET, { ttlMs: 60_000, now: NOW });
    const [expiry, session, signature] = token.split(".") as [string, string, string];
    const prefix = `${expiry}.${session}`;
    const last = signature.at(-1)!;
    // The last of 43 characters carries 4 bits of the digest and 2 spare bits: its siblings decode alike.
    const sibling = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
      .split("")
      .find((candidate) => candidate !== last && Buffer.from(signature.slice(0, -1) + candidate, "base64url").equals(Buffer.from(signature, "base64url")))!;
    const variants = [
      `${token}=`,
      `${prefix}.${signature.slice(0, 10)}\n${signature.slice(10)}`,
      `${prefix}.${signature.replace(/-/g, "+").replace(/_/g, "/")}${/[-_]/.test(signature) ? "" : "="}`,
      `${prefix}.${signature.slice(0, -1)}${sibling}`,
    ];
    for (const variant of variants) {
      expect(verifyMonitorToken(variant, SECRET, at(NOW)), JSON.stringify(variant)).toEqual({ ok: false, reason: "bad-signature" });
    }
  });
});
