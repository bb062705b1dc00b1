import { describe, expect, it } from "vitest";
import { constantTimeEqual, signToken, verifyToken } from "./signed-token";

const spec = { secret: "signed-token-test-secret-0123456789", purpose: "test.v1" };

describe("signed tokens", () => {
  it("are accepted only for the purpose they were made for", () => {
    const token = signToken(spec, 2_000, "subject");
    expect(verifyToken(spec, token, 1_000)).toEqual({ ok: true, expiresAt: 2_000, subject: "subject" });
    expect(verifyToken({ ...spec, purpose: "other.v1" }, token, 1_000)).toEqual({ ok: false, reason: "bad-signature" });
  });

  it("are accepted only with the binding they were made with", () => {
    const token = signToken({ ...spec, binding: "b1" }, 2_000);
    expect(verifyToken({ ...spec, binding: "b1" }, token, 1_000)).toMatchObject({ ok: true });
    expect(verifyToken({ ...spec, binding: "b2" }, token, 1_000)).toEqual({ ok: false, reason: "bad-signature" });
    expect(verifyToken(spec, token, 1_000)).toEqual({ ok: false, reason: "bad-signature" });
  });
});

describe("constantTimeEqual", () => {
  it("tells equal texts from different ones of any length", () => {
    expect(constantTimeEqual("same", "same")).toBe(true);
    expect(constantTimeEqual("same", "same!")).toBe(false);
    expect(constantTimeEqual("", "x")).toBe(false);
    expect(constantTimeEqual("", "")).toBe(true);
  });
});
