import { describe, expect, it } from "vitest";
import { FIRST_DELAY_MS, FORGET_AFTER_MS, FREE_ATTEMPTS, MAX_DELAY_MS, SignInThrottle } from "./sign-in-throttle";

describe("SignInThrottle", () => {
  it("lets an address try a few wrong tokens, then makes it wait, twice as long after each failure", () => {
    const throttle = new SignInThrottle();
    for (let i = 0; i < FREE_ATTEMPTS; i++) {
      expect(throttle.check("a", 0)).toEqual({ allowed: true });
      expect(throttle.failed("a", 0)).toBe(0);
    }
    expect(throttle.failed("a", 0)).toBe(FIRST_DELAY_MS);
    expect(throttle.check("a", 0)).toEqual({ allowed: false, retryAfterMs: FIRST_DELAY_MS });
    expect(throttle.check("a", FIRST_DELAY_MS)).toEqual({ allowed: true });
    expect(throttle.failed("a", FIRST_DELAY_MS)).toBe(2 * FIRST_DELAY_MS);
    expect(throttle.failed("a", 3 * FIRST_DELAY_MS)).toBe(4 * FIRST_DELAY_MS);
  });

  it("never makes an address wait longer than the longest wait", () => {
    const throttle = new SignInThrottle();
    let delay = 0;
    for (let i = 0; i < 100; i++) delay = throttle.failed("a", 0);
    expect(delay).toBe(MAX_DELAY_MS);
  });

  it("3,000 guesses from one address cost it hours, not seconds", () => {
    const throttle = new SignInThrottle();
    let now = 0;
    let attempts = 0;
    while (attempts < 3_000) {
      const verdict = throttle.check("a", now);
      if (!verdict.allowed) {
        now += verdict.retryAfterMs;
        continue;
      }
      throttle.failed("a", now);
      attempts++;
    }
    expect(now).toBeGreaterThan(3_000 * MAX_DELAY_MS * 0.9);
  });

  it("keeps addresses apart, and a right token clears its address", () => {
    const throttle = new SignInThrottle();
    for (let i = 0; i <= FREE_ATTEMPTS; i++) throttle.failed("a", 0);
    expect(throttle.check("a", 0).allowed).toBe(false);
    expect(throttle.check("b", 0).allowed).toBe(true);
    throttle.succeeded("a");
    expect(throttle.check("a", 0).allowed).toBe(true);
  });

  it("remembers an address through its longest wait, and forgets it after a day without failures", () => {
    const throttle = new SignInThrottle();
    for (let i = 0; i <= FREE_ATTEMPTS; i++) throttle.failed("a", 0);
    throttle.failed("b", MAX_DELAY_MS + 1); // any new address sweeps the idle ones
    expect(throttle.failed("a", MAX_DELAY_MS + 2)).toBeGreaterThan(0);
    throttle.failed("c", MAX_DELAY_MS + 2 + FORGET_AFTER_MS + 1);
    expect(throttle.failed("a", MAX_DELAY_MS + 2 + FORGET_AFTER_MS + 2)).toBe(0);
  });
});
