import { describe, expect, it } from "vitest";
import { createMonitorToken, MONITOR_TOKEN_TTL_MS, verifyMonitorToken } from "./monitor-token";

const SECRET = "monitor-token-test-secret-0123456789";
const NOW = 1_750_000_000_000;

/** The token with the character at `index` replaced by another base64url character. */
function withCharacterChanged(token: string, index: number): string {
  const replacement = token[index] === "A" ? "Q" : "A";
  return token.slice(0, index) + replacement + token.slice(index + 1);
}

describe("createMonitorToken", () => {
  it("issues `<expiry ms in base36>.<HMAC-SHA256 in base64url>`", () => {
    const token = createMonitorToken(SECRET, 60_000, NOW);
    expect(token).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
    expect(parseInt(token.split(".")[0]!, 36)).toBe(NOW + 60_000);
  });

  it("is valid for five minutes by default", () => {
    expect(MONITOR_TOKEN_TTL_MS).toBe(5 * 60_000);
    const token = createMonitorToken(SECRET, undefined, NOW);
    expect(verifyMonitorToken(token, SECRET, NOW)).toEqual({ ok: true, expiresAt: NOW + MONITOR_TOKEN_TTL_MS });
  });

  it("gives the same token for the same secret and expiry, and another for another secret", () => {
    expect(createMonitorToken(SECRET, 1_000, NOW)).toBe(createMonitorToken(SECRET, 1_000, NOW));
    expect(createMonitorToken(SECRET, 1_000, NOW)).not.toBe(createMonitorToken(`${SECRET}!`, 1_000, NOW));
  });
});

describe("verifyMonitorToken", () => {
  it("accepts a token it issued, until just before it expires", () => {
    const token = createMonitorToken(SECRET, 60_000, NOW);
    expect(verifyMonitorToken(token, SECRET, NOW)).toEqual({ ok: true, expiresAt: NOW + 60_000 });
    expect(verifyMonitorToken(token, SECRET, NOW + 59_999)).toEqual({ ok: true, expiresAt: NOW + 60_000 });
  });

  it("refuses an expired token, from the expiry instant on", () => {
    const token = createMonitorToken(SECRET, 60_000, NOW);
    expect(verifyMonitorToken(token, SECRET, NOW + 60_000)).toEqual({ ok: false, reason: "expired" });
    expect(verifyMonitorToken(createMonitorToken(SECRET, -1_000, NOW), SECRET, NOW)).toEqual({ ok: false, reason: "expired" });
  });

  it("checks the signature before the expiry: a forged expired token is a bad signature, not 'expired'", () => {
    const forged = `${(NOW - 1).toString(36)}.${"A".repeat(43)}`;
    expect(verifyMonitorToken(forged, SECRET, NOW)).toEqual({ ok: false, reason: "bad-signature" });
  });

  it("refuses a token with a tampered signature", () => {
    const token = createMonitorToken(SECRET, 60_000, NOW);
    const dot = token.indexOf(".");
    expect(verifyMonitorToken(withCharacterChanged(token, dot + 1), SECRET, NOW)).toEqual({ ok: false, reason: "bad-signature" });
    expect(verifyMonitorToken(withCharacterChanged(token, dot + 20), SECRET, NOW)).toEqual({ ok: false, reason: "bad-signature" });
    expect(verifyMonitorToken(token.slice(0, -4), SECRET, NOW)).toEqual({ ok: false, reason: "bad-signature" });
    expect(verifyMonitorToken(`${token}AAAA`, SECRET, NOW)).toEqual({ ok: false, reason: "bad-signature" });
  });

  it("refuses a token whose expiry was pushed out (the signature covers it)", () => {
    const token = createMonitorToken(SECRET, 60_000, NOW);
    const [, signature] = token.split(".");
    const extended = `${(NOW + 24 * 3_600_000).toString(36)}.${signature}`;
    expect(verifyMonitorToken(extended, SECRET, NOW)).toEqual({ ok: false, reason: "bad-signature" });
  });

  it("refuses a token signed with another secret", () => {
    const token = createMonitorToken("some-other-secret-0123456789", 60_000, NOW);
    expect(verifyMonitorToken(token, SECRET, NOW)).toEqual({ ok: false, reason: "bad-signature" });
  });

  it.each([
    ["an empty string", ""],
    ["no dot", "abcdef"],
    ["an empty expiry", ".c2lnbmF0dXJl"],
    ["an empty signature", "lqz5k3a8."],
    ["only a dot", "."],
  ])("refuses a malformed token: %s", (_what, token) => {
    expect(verifyMonitorToken(token, SECRET, NOW)).toEqual({ ok: false, reason: "malformed" });
  });

  it("refuses a correctly signed expiry that is not a safe integer as malformed", () => {
    const token = createMonitorToken(SECRET, Number.MAX_SAFE_INTEGER, NOW);
    expect(verifyMonitorToken(token, SECRET, NOW)).toEqual({ ok: false, reason: "malformed" });
  });

  it("accepts only the canonical encoding of the signature (no padding, whitespace, +/ or spare bits)", () => {
    const token = createMonitorToken(SECRET, 60_000, NOW);
    const [expiry, signature] = token.split(".") as [string, string];
    const last = signature.at(-1)!;
    // The last of 43 characters carries 4 bits of the digest and 2 spare bits: its siblings decode alike.
    const sibling = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
      .split("")
      .find((candidate) => candidate !== last && Buffer.from(signature.slice(0, -1) + candidate, "base64url").equals(Buffer.from(signature, "base64url")))!;
    const variants = [
      `${token}=`,
      `${expiry}.${signature.slice(0, 10)}\n${signature.slice(10)}`,
      `${expiry}.${signature.replace(/-/g, "+").replace(/_/g, "/")}${/[-_]/.test(signature) ? "" : "="}`,
      `${expiry}.${signature.slice(0, -1)}${sibling}`,
    ];
    for (const variant of variants) {
      expect(verifyMonitorToken(variant, SECRET, NOW), JSON.stringify(variant)).toEqual({ ok: false, reason: "bad-signature" });
    }
  });
});
