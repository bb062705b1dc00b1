import { describe, expect, it } from "vitest";
import { MB } from "./common";
import { memoryFigures, TOO_FEW_SAMPLES, type MemoryPoint } from "./memory";

/** A sample every `everyS` seconds from 0 to `untilS`, growing `mbPerMin`; every 30 s also one right after a forced GC. */
function series(untilS: number, mbPerMin: number, { everyS = 5, gcEveryS = 30 } = {}): MemoryPoint[] {
  const samples: MemoryPoint[] = [];
  const at = (t: number) => 100 * MB + (mbPerMin * MB * t) / 60;
  for (let t = 0; t <= untilS; t += everyS) samples.push({ t, rss: at(t), heapUsed: at(t) });
  for (let t = gcEveryS; t <= untilS; t += gcEveryS) samples.push({ t, rss: at(t), heapUsed: at(t) - 10 * MB, afterGc: true });
  return samples;
}

const heap = (sample: MemoryPoint) => sample.heapUsed;

describe("memoryFigures", () => {
  it("calls a series flat when the slope after forced GCs is at most 1 MB a minute", () => {
    const figures = memoryFigures(series(600, 0.5), 120, heap);
    expect(figures.gcSamples).toBe(17);
    expect(figures.gcSlopeMbPerMin).toBeCloseTo(0.5);
    expect(figures).toMatchObject({ flat: true });
    expect(figures.reason).toBeUndefined();
  });

  it("calls a series growing faster not flat", () => {
    expect(memoryFigures(series(600, 3), 120, heap)).toMatchObject({ flat: false });
  });

  it("judges the plain slope when fewer than three forced GCs came after warm-up", () => {
    const figures = memoryFigures(series(60, 3, { gcEveryS: 50 }), 15, heap);
    expect(figures.gcSamples).toBe(1);
    expect(figures.judgedMbPerMin).toBeCloseTo(3);
    expect(figures.flat).toBe(false);
  });

  it("fails, with a reason, when no slope can be computed after warm-up", () => {
    // One sample after warm-up: the slope is NaN, which once read as a flat 0.
    const figures = memoryFigures(series(30, 50, { everyS: 10, gcEveryS: 1_000 }), 25, heap);
    expect(Number.isNaN(figures.judgedMbPerMin)).toBe(true);
    expect(figures).toMatchObject({ flat: false, reason: TOO_FEW_SAMPLES });
  });

  it("fails when every sample came before the end of warm-up", () => {
    expect(memoryFigures(series(20, 0), 60, heap)).toMatchObject({ flat: false, reason: TOO_FEW_SAMPLES });
  });
});
