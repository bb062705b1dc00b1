import type { TraceFrame } from "@/lib/events/protocol/frames";
import { isCutPreview } from "@/lib/events/protocol/preview";
import { errorInfo, type DashboardClient, type FireOutcome } from "./fire";

/** Whether a trace's payload is the real one, or the start of it that the server cut for the dashboard. */
export function payloadWasCut(trace: Pick<TraceFrame, "data">): boolean {
  return isCutPreview(trace.data);
}

/**
 * Fires a trace again: the same name and payload, through the monitor session, marked as a replay
 * of it. Never throws: a refusal is an outcome with a code and a message. A payload the server
 * cut for the dashboard is not the one that was sent, so it is not replayed.
 */
export async function replayOnce(client: DashboardClient, trace: TraceFrame, now: () => number): Promise<FireOutcome> {
  const { kind, name } = trace;
  if (payloadWasCut(trace)) {
    return { ok: false, kind, name, latencyMs: 0, code: "too_large", message: "The payload was cut for the dashboard (over 4096 characters of JSON): edit and fire it instead" };
  }
  if (!client.replay) return { ok: false, kind, name, latencyMs: 0, code: "unavailable", message: "This connection cannot replay: it is not a monitor session" };
  const started = now();
  try {
    const answer = await client.replay(kind, name, trace.data, replayId(trace));
    if (kind === "request") return { ok: true, kind, name, latencyMs: now() - started, result: answer };
    const report = answer as { id: string; handlers: number; failed: number; delivered: number };
    return { ok: true, kind, name, latencyMs: now() - started, id: report.id, handlers: report.handlers, failed: report.failed, delivered: report.delivered };
  } catch (error) {
    return { ok: false, kind, name, latencyMs: now() - started, ...errorInfo(error) };
  }
}

/**
 * What a replay names as its original: the trace's id, or for a trigger refused before it got
 * one (id ""), its time and instance (`refused@<at>@<instance>`), so the link still finds it.
 */
export function replayId(trace: Pick<TraceFrame, "id" | "at" | "instance">): string {
  return trace.id !== "" ? trace.id : `refused@${trace.at}@${trace.instance}`.slice(0, 100);
}

/** The newest row whose trace a replay names, among `rows` (newest first). */
export function findOriginal<R extends { trace: TraceFrame }>(rows: readonly R[], replayOf: string): R | undefined {
  return rows.find((row) => replayId(row.trace) === replayOf && row.trace.replayOf !== replayOf);
}
