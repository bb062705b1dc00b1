import { describe, expect, it } from "vitest";
import { bearerTokenOf } from "./bearer-token";

describe("bearerTokenOf", () => {
  it("takes the token after the Bearer scheme, whatever the scheme's case", () => {
    expect(bearerTokenOf("Bearer abc.def")).toBe("abc.def");
    expect(bearerTokenOf("bearer abc")).toBe("abc");
    expect(bearerTokenOf("BEARER  abc")).toBe("abc");
  });

  it("finds none without a header, under another scheme, or with nothing after the scheme", () => {
    expect(bearerTokenOf(undefined)).toBeUndefined();
    expect(bearerTokenOf(null)).toBeUndefined();
    expect(bearerTokenOf("")).toBeUndefined();
    expect(bearerTokenOf("Basic YTpi")).toBeUndefined();
    expect(bearerTokenOf("Bearer")).toBeUndefined();
    expect(bearerTokenOf("Bearer ")).toBeUndefined();
    expect(bearerTokenOf("Bearerabc")).toBeUndefined();
  });
});
