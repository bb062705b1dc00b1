import { describe, expect, it } from "vitest";
import { createRateWindow } from "./rate-window";

describe("createRateWindow", () => {
  it("counts per second, oldest first, ending with the current second", () => {
    const rate = createRateWindow(3);
    rate.add(10_000);
    rate.add(10_999, 2);
    rate.add(11_500, 5);
    expect(rate.series(11_900)).toEqual([0, 3, 5]);
    expect(rate.series(12_000)).toEqual([3, 5, 0]);
  });

  it("forgets seconds that left the window, even when a slot is reused", () => {
    const rate = createRateWindow(3);
    rate.add(1_000, 4);
    rate.add(4_000, 1); // the same slot as second 1, three seconds later
    expect(rate.series(4_000)).toEqual([0, 0, 1]);
    expect(rate.series(60_000)).toEqual([0, 0, 0]);
  });

  it("clears", () => {
    const rate = createRateWindow(2);
    rate.add(5_000, 9);
    rate.clear();
    expect(rate.series(5_000)).toEqual([0, 0]);
  });
});
