import { describe, expect, it } from "vitest";
import { createRing } from "./ring-buffer";

describe("createRing", () => {
  it("keeps items newest first until it is full", () => {
    const ring = createRing<number>(3);
    ring.push(1);
    ring.push(2);
    expect(ring.newestFirst()).toEqual([2, 1]);
    expect(ring.size).toBe(2);
  });

  it("evicts the oldest item when full, and says which", () => {
    const ring = createRing<number>(3);
    for (const n of [1, 2, 3]) expect(ring.push(n)).toBeUndefined();
    expect(ring.push(4)).toBe(1);
    expect(ring.push(5)).toBe(2);
    expect(ring.newestFirst()).toEqual([5, 4, 3]);
    expect(ring.size).toBe(3);
  });

  it("never holds more than its capacity, however much is pushed", () => {
    const ring = createRing<number>(1000);
    for (let n = 0; n < 10_500; n++) ring.push(n);
    const items = ring.newestFirst();
    expect(items).toHaveLength(1000);
    expect(items[0]).toBe(10_499);
    expect(items[999]).toBe(9_500);
  });

  it("starts over after clear", () => {
    const ring = createRing<string>(2);
    ring.push("a");
    ring.push("b");
    ring.clear();
    expect(ring.size).toBe(0);
    ring.push("c");
    expect(ring.newestFirst()).toEqual(["c"]);
  });

  it("refuses a capacity that is not a positive integer", () => {
    expect(() => createRing(0)).toThrow(RangeError);
    expect(() => createRing(2.5)).toThrow(/positive integer/);
  });
});
