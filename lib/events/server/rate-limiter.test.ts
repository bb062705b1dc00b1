import { describe, expect, it } from "vitest";
import { TokenBucket } from "./rate-limiter";

/** Takes from `bucket` at `now` until it refuses; returns how many it allowed (at most `limit`). */
function drain(bucket: TokenBucket, now: number, limit = 1_000): number {
  let taken = 0;
  while (taken < limit && bucket.take(now)) taken++;
  return taken;
}

describe("TokenBucket", () => {
  it("allows a burst of twice the rate by default, then refuses", () => {
    const bucket = new TokenBucket(5, undefined, 0);
    expect(bucket.burst).toBe(10);
    expect(drain(bucket, 0)).toBe(10);
    expect(bucket.take(0)).toBe(false);
  });

  it("takes an explicit burst", () => {
    const bucket = new TokenBucket(100, 3, 0);
    expect(drain(bucket, 0)).toBe(3);
  });

  it("refills at `rate` tokens per second", () => {
    const bucket = new TokenBucket(5, 10, 0);
    drain(bucket, 0);
    // One token per 200 ms at 5 per second.
    expect(bucket.take(199)).toBe(false);
    expect(bucket.take(200)).toBe(true);
    expect(bucket.take(200)).toBe(false);
    expect(drain(bucket, 1_200)).toBe(5);
  });

  it("keeps the fraction earned before a refusal", () => {
    const bucket = new TokenBucket(5, 10, 0);
    drain(bucket, 0);
    expect(bucket.take(100)).toBe(false); // half a token so far
    expect(bucket.take(200)).toBe(true); // the other half arrived
  });

  it("never holds more than the burst, however long it was idle", () => {
    const bucket = new TokenBucket(5, 10, 0);
    drain(bucket, 0);
    expect(drain(bucket, 3_600_000)).toBe(10);
  });

  it("sustains exactly `rate` per second over time", () => {
    const bucket = new TokenBucket(10, 20, 0);
    let allowed = drain(bucket, 0);
    for (let t = 10; t <= 10_000; t += 10) if (bucket.take(t)) allowed++;
    // The initial burst plus ten per second for ten seconds (tenths of a token add up in floating
    // point, so the last one may land a step late).
    expect(allowed).toBeGreaterThanOrEqual(20 + 99);
    expect(allowed).toBeLessThanOrEqual(20 + 100);
  });

  it("starts full", () => {
    expect(drain(new TokenBucket(1, 1, 0), 0)).toBe(1);
    expect(drain(new TokenBucket(1_000, undefined, 0), 0)).toBe(1_000);
  });
});
