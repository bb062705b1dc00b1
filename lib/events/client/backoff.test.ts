import { describe, expect, it } from "vitest";
import { fullJitterBackoff } from "./backoff";

describe("fullJitterBackoff", () => {
  it("backs off with full jitter: random() times min(cap, base * 2^attempt)", () => {
    expect(fullJitterBackoff(0, { random: () => 0.5 })).toBe(125);
    expect(fullJitterBackoff(3, { random: () => 0.5 })).toBe(1_000);
    expect(fullJitterBackoff(3, { baseMs: 100, random: () => 0.25 })).toBe(200);
  });

  it("never exceeds the cap, however many attempts failed", () => {
    expect(fullJitterBackoff(6, { random: () => 0.999 })).toBeLessThan(10_000);
    expect(fullJitterBackoff(1_000, { random: () => 1 })).toBe(10_000);
    expect(fullJitterBackoff(5, { capMs: 2_000, random: () => 1 })).toBe(2_000);
  });

  it("can be zero: full jitter spreads retries over the whole window, starting now", () => {
    expect(fullJitterBackoff(4, { random: () => 0 })).toBe(0);
  });

  it("stays within [0, ceiling) with the real Math.random", () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const ceiling = Math.min(10_000, 250 * 2 ** attempt);
      const delay = fullJitterBackoff(attempt);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(ceiling);
    }
  });

  it("treats a negative attempt like the first", () => {
    expect(fullJitterBackoff(-3, { random: () => 1 })).toBe(250);
  });
});
