import { describe, expect, it } from "vitest";
import { FIRST_DELAY_MS, FORGET_AFTER_MS, FREE_ATTEMPTS, MAX_DELAY_MS, SignInThrottle } from "./sign-in-throttle";

/** A wrong token at `now`: the attempt is allowed, and never succeeds. */
function wrong(throttle: SignInThrottle, address: string, now: number): boolean {
  return throttle.attempt(address, now).allowed;
}

describe("SignInThrottle", () => {
  it("lets an address try a few wrong tokens, then makes it wait, twice as long after each failure", () => {
    const throttle = new SignInThrottle();
    for (let i = 0; i < FREE_ATTEMPTS; i++) {
      expect(wrong(throttle, "a", 0)).toBe(true);
      expect(throttle.waitOf("a", 0)).toBe(0);
    }
    expect(wrong(throttle, "a", 0)).toBe(true);
    expect(throttle.waitOf("a", 0)).toBe(FIRST_DELAY_MS);
    expect(throttle.attempt("a", 0)).toEqual({ allowed: false, retryAfterMs: FIRST_DELAY_MS });
    expect(wrong(throttle, "a", FIRST_DELAY_MS)).toBe(true);
    expect(throttle.waitOf("a", FIRST_DELAY_MS)).toBe(2 * FIRST_DELAY_MS);
    expect(wrong(throttle, "a", 3 * FIRST_DELAY_MS)).toBe(true);
    expect(throttle.waitOf("a", 3 * FIRST_DELAY_MS)).toBe(4 * FIRST_DELAY_MS);
  });

  it("counts attempts in parallel as they start: a burst gets no more than the free ones through", () => {
    const throttle = new SignInThrottle();
    const started = Array.from({ length: 50 }, () => throttle.attempt("a", 0));
    expect(started.filter((attempt) => attempt.allowed)).toHaveLength(FREE_ATTEMPTS + 1);
  });

  it("refuses even the right token while the address waits, and a right token clears it", () => {
    const throttle = new SignInThrottle();
    for (let i = 0; i <= FREE_ATTEMPTS; i++) wrong(throttle, "a", 0);
    expect(throttle.attempt("a", 0).allowed).toBe(false);
    const later = throttle.attempt("a", FIRST_DELAY_MS);
    if (!later.allowed) throw new Error("expected the wait to be over");
    later.succeeded();
    expect(throttle.waitOf("a", FIRST_DELAY_MS)).toBe(0);
    for (let i = 0; i < FREE_ATTEMPTS; i++) expect(wrong(throttle, "a", FIRST_DELAY_MS)).toBe(true);
  });

  it("never makes an address wait longer than the longest wait", () => {
    const throttle = new SignInThrottle();
    let now = 0;
    for (let i = 0; i < 100; i++) {
      wrong(throttle, "a", now);
      now += throttle.waitOf("a", now);
    }
    expect(throttle.waitOf("a", now - MAX_DELAY_MS)).toBe(MAX_DELAY_MS);
  });

  it("3,000 guesses from one address cost it weeks, not seconds", () => {
    const throttle = new SignInThrottle();
    let now = 0;
    let attempts = 0;
    while (attempts < 3_000) {
      const attempt = throttle.attempt("a", now);
      if (!attempt.allowed) {
        now += attempt.retryAfterMs;
        continue;
      }
      attempts++;
    }
    expect(now).toBeGreaterThan(3_000 * MAX_DELAY_MS * 0.9);
  });

  it("keeps addresses apart", () => {
    const throttle = new SignInThrottle();
    for (let i = 0; i <= FREE_ATTEMPTS; i++) wrong(throttle, "a", 0);
    expect(throttle.attempt("a", 0).allowed).toBe(false);
    expect(throttle.attempt("b", 0).allowed).toBe(true);
  });

  it("remembers an address through its longest wait, and forgets it after a day without failures", () => {
    const throttle = new SignInThrottle();
    for (let i = 0; i <= FREE_ATTEMPTS; i++) wrong(throttle, "a", 0);
    wrong(throttle, "b", MAX_DELAY_MS + 1); // any new address sweeps the idle ones
    wrong(throttle, "a", MAX_DELAY_MS + 2);
    expect(throttle.waitOf("a", MAX_DELAY_MS + 2)).toBeGreaterThan(0);
    const later = MAX_DELAY_MS + 2 + FORGET_AFTER_MS + 1;
    wrong(throttle, "c", later);
    wrong(throttle, "a", later + 1);
    expect(throttle.waitOf("a", later + 1)).toBe(0);
  });
});
