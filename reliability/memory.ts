/**
 * Is the server's memory flat after warm-up? Under a steady load V8's heap is a sawtooth: it grows
 * for a minute or two, then a major collection takes it back down, and RSS follows with a lag. A
 * least-squares slope over a few teeth depends on where the peaks happen to fall. So the soak
 * forces a full collection every 30 s (through the inspector) and samples right after it: that
 * series is the live heap, and its slope after warm-up is the verdict (at most 1 MB a minute, for
 * the heap and for RSS). The plain slope over every sample is reported beside it, and is the
 * verdict when there were fewer than three forced collections after warm-up. A slope that cannot
 * be computed (fewer than two samples after warm-up) is no evidence of flatness: it fails.
 */
import { MB, slope } from "./common";

export interface MemoryPoint {
  /** Seconds since the load started. */
  t: number;
  rss: number;
  heapUsed: number;
  afterGc?: boolean;
}

export interface MemoryFigures {
  start: number;
  afterWarmUp: number;
  end: number;
  max: number;
  /** Least squares over every sample after warm-up, MB per minute. */
  slopeMbPerMin: number;
  /** Samples taken right after a forced full collection, after warm-up. */
  gcSamples: number;
  /** The first and last of them (bytes). */
  gcFirst: number;
  gcLast: number;
  /** Least squares over them, MB per minute. */
  gcSlopeMbPerMin: number;
  /** The slope judged: `gcSlopeMbPerMin` when there were enough forced collections, else `slopeMbPerMin`. */
  judgedMbPerMin: number;
  flat: boolean;
  /** Why the series is not flat when no slope over the limit says it: there was nothing to judge. */
  reason?: string;
}

/** The most a series may grow after warm-up and still be called flat. */
export const FLAT_MB_PER_MIN = 1;

/** The verdict when no slope can be computed. */
export const TOO_FEW_SAMPLES = "not enough samples after warm-up to judge memory";

export function memoryFigures(samples: readonly MemoryPoint[], warmUpS: number, pick: (sample: MemoryPoint) => number): MemoryFigures {
  const valid = samples.filter((sample) => !sample.afterGc && Number.isFinite(pick(sample)));
  const after = valid.filter((sample) => sample.t >= warmUpS);
  const afterGc = samples.filter((sample) => sample.afterGc && sample.t >= warmUpS && Number.isFinite(pick(sample)));
  // NaN (fewer than two points) stays NaN: it must never read as a flat 0.
  const slopeOf = (list: MemoryPoint[]) => slope(list.map((sample) => ({ x: sample.t / 60, y: pick(sample) }))) / MB;
  const plain = slopeOf(after);
  const gcSlope = afterGc.length >= 3 ? slopeOf(afterGc) : Number.NaN;
  // Without forced collections (no inspector), the plain slope is all there is.
  const judged = Number.isFinite(gcSlope) ? gcSlope : plain;
  return {
    start: valid[0] ? pick(valid[0]) : Number.NaN,
    afterWarmUp: after[0] ? pick(after[0]) : Number.NaN,
    end: valid.at(-1) ? pick(valid.at(-1)!) : Number.NaN,
    max: Math.max(...valid.map(pick)),
    slopeMbPerMin: plain,
    gcSamples: afterGc.length,
    gcFirst: afterGc[0] ? pick(afterGc[0]) : Number.NaN,
    gcLast: afterGc.at(-1) ? pick(afterGc.at(-1)!) : Number.NaN,
    gcSlopeMbPerMin: gcSlope,
    judgedMbPerMin: judged,
    flat: Number.isFinite(judged) && judged <= FLAT_MB_PER_MIN,
    ...(Number.isFinite(judged) ? {} : { reason: TOO_FEW_SAMPLES }),
  };
}
