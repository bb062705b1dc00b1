import type { TraceFrame } from "@/lib/events/protocol/frames";
import { payloadWasCut } from "./replay";

/** What a replay needs of the client: the dashboard's EventManager (a monitor session). */
export interface ReplayClient {
  /** Fires the recorded trigger's name and payload again, as a replay of it. */
  triggerFromRecording(trace: TraceFrame): Promise<unknown>;
}

/** 1: as recorded; 2 and 10: that many times faster; "instant": one after the other, no waits. */
export type ReplaySpeed = 1 | 2 | 10 | "instant";
export const REPLAY_SPEEDS: readonly ReplaySpeed[] = [1, 2, 10, "instant"];

export interface ReplayPlan {
  /** The triggers to fire again, oldest first. */
  triggers: TraceFrame[];
  /** Triggers whose payload the trace holds only as a cut preview: they cannot be fired as they were. */
  skippedCut: number;
}

/** Which recorded traces a replay fires: triggers only (requests ask, they change nothing), oldest first. */
export function planReplay(traces: readonly TraceFrame[]): ReplayPlan {
  const recorded = traces.filter((trace) => trace.kind === "trigger").sort((a, b) => a.at - b.at);
  const triggers = recorded.filter((trace) => !payloadWasCut(trace));
  return { triggers, skippedCut: recorded.length - triggers.length };
}

export interface ReplayProgress {
  done: number;
  total: number;
  /** Triggers the server answered with an error (the replay goes on). */
  failed: number;
  /** The last error's code and message. */
  lastError: string | null;
}

export type ReplayEnd = ReplayProgress & { status: "done" | "stopped" | "refused" };

export interface ReplayOptions {
  speed: ReplaySpeed;
  signal: AbortSignal;
  onProgress(progress: ReplayProgress): void;
  /** Waits `ms` unless `signal` aborts first (tests pass a virtual clock). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Fires the plan's triggers again, in order, keeping their recorded spacing divided by `speed`.
 * An error on one trigger is counted and the next goes; `forbidden` (a production server, or no
 * longer a monitor) ends the replay, since every later trigger would be refused the same way.
 */
export async function replayRecording(plan: ReplayPlan, client: ReplayClient, options: ReplayOptions): Promise<ReplayEnd> {
  const { speed, signal, onProgress, sleep = abortableSleep } = options;
  const progress: ReplayProgress = { done: 0, total: plan.triggers.length, failed: 0, lastError: null };
  let previousAt: number | null = null;
  for (const trace of plan.triggers) {
    const wait = previousAt === null || speed === "instant" ? 0 : (trace.at - previousAt) / speed;
    previousAt = trace.at;
    if (wait > 0) await sleep(wait, signal);
    if (signal.aborted) return { ...progress, status: "stopped" };
    try {
      await client.triggerFromRecording(trace);
    } catch (error) {
      progress.failed++;
      const code = (error as { code?: unknown }).code;
      progress.lastError = `${typeof code === "string" ? `${code}: ` : ""}${(error as Error).message}`;
      if (code === "forbidden") return { ...progress, status: "refused" };
    }
    progress.done++;
    onProgress({ ...progress });
  }
  return { ...progress, status: signal.aborted ? "stopped" : "done" };
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
