import { describe, expect, it } from "vitest";
import { formatAgo, formatBytes, formatClock, formatDuration, formatRate, formatUptime, secondsLeft } from "./format";

describe("formatters", () => {
  it("formatClock shows local time to the millisecond", () => {
    const at = new Date(2024, 0, 2, 3, 4, 5, 6).getTime();
    expect(formatClock(at)).toBe("03:04:05.006");
  });

  it("formatDuration picks a sensible unit", () => {
    expect(formatDuration(0.123)).toBe("0.12 ms");
    expect(formatDuration(12.4)).toBe("12 ms");
    expect(formatDuration(1_530)).toBe("1.5 s");
    expect(formatDuration(-1)).toBe("—");
  });

  it("formatUptime counts up to days", () => {
    expect(formatUptime(42_000)).toBe("42 s");
    expect(formatUptime(303_000)).toBe("5 min 3 s");
    expect(formatUptime((3 * 60 + 12) * 60_000)).toBe("3 h 12 min");
    expect(formatUptime(52 * 3_600_000)).toBe("2 d 4 h");
  });

  it("formatAgo says how long ago, or never", () => {
    expect(formatAgo(null, 0)).toBe("never");
    expect(formatAgo(1_000, 1_500)).toBe("just now");
    expect(formatAgo(0, 12_000)).toBe("12 s ago");
    expect(formatAgo(0, 180_000)).toBe("3 min ago");
    expect(formatAgo(0, 7_200_000)).toBe("2 h ago");
  });

  it("formatRate shortens large rates", () => {
    expect(formatRate(null)).toBe("—");
    expect(formatRate(0)).toBe("0");
    expect(formatRate(0.44)).toBe("0.4/s");
    expect(formatRate(123.4)).toBe("123/s");
    expect(formatRate(2_000)).toBe("2.0k/s");
  });

  it("secondsLeft rounds up and never goes below zero", () => {
    expect(secondsLeft(2_500, 0)).toBe(3);
    expect(secondsLeft(2_500, 1_600)).toBe(1);
    expect(secondsLeft(2_500, 9_000)).toBe(0);
  });

  it("formatBytes reads as a file manager shows sizes", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(50 * 1024 * 1024)).toBe("50.0 MB");
  });
});
