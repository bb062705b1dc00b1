import { describe, expect, it } from "vitest";
import { RecentRate } from "./recent-rate";

describe("RecentRate", () => {
  it("averages what happened over the last ten seconds", () => {
    const rate = new RecentRate();
    const start = 1_000_000_000;
    for (let i = 0; i < 50; i++) rate.note(start + i * 100); // 10 a second for 5 s
    expect(rate.perSecond(start + 5_000)).toBe(5);
  });

  it("forgets what is older than the window, slot by slot", () => {
    const rate = new RecentRate();
    const start = 2_000_000_000;
    for (let i = 0; i < 30; i++) rate.note(start);
    expect(rate.perSecond(start + 9_000)).toBe(3);
    expect(rate.perSecond(start + 10_000)).toBe(0);
    rate.note(start + 20_000);
    expect(rate.perSecond(start + 20_000)).toBe(0.1);
  });
});
