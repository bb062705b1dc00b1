import { addToHistory, type FireEntry } from "./fire-history";
import { parseJsonInput } from "./json-input";

/** What the dashboard fires through: the monitor session's EventManager, seen narrowly. */
export interface DashboardClient {
  trigger(name: string, data: unknown): Promise<{ id: string; handlers: number; failed: number; delivered: number }>;
  request(name: string, data: unknown): Promise<unknown>;
  /** Fires a trace's name and payload again, its trace marked as a replay of `replayOf` (a monitor session's). */
  replay?(kind: FireKind, name: string, data: unknown, replayOf: string): Promise<unknown>;
}

export type FireKind = "trigger" | "request";

/** How one fire went, as the Fire panel shows it. */
export type FireOutcome =
  | { ok: true; kind: "trigger"; name: string; latencyMs: number; id: string; handlers: number; failed: number; delivered: number }
  | { ok: true; kind: "request"; name: string; latencyMs: number; result: unknown }
  | { ok: false; kind: FireKind; name: string; latencyMs: number; code: string; message: string };

/**
 * Fires once: parses the payload text, triggers or requests, times it, and never throws (a
 * failure is an outcome with the error's code and message).
 */
export async function fireOnce(client: DashboardClient, kind: FireKind, name: string, payload: string, now: () => number): Promise<FireOutcome> {
  const parsed = parseJsonInput(payload);
  if (!parsed.ok) {
    const where = parsed.line === null ? "" : ` (line ${parsed.line}, column ${parsed.column})`;
    return { ok: false, kind, name, latencyMs: 0, code: "bad_request", message: `The payload is not JSON: ${parsed.message}${where}` };
  }
  const started = now();
  try {
    if (kind === "trigger") {
      const report = await client.trigger(name, parsed.value);
      return { ok: true, kind, name, latencyMs: now() - started, ...report };
    }
    const result = await client.request(name, parsed.value);
    return { ok: true, kind, name, latencyMs: now() - started, result };
  } catch (error) {
    return { ok: false, kind, name, latencyMs: now() - started, ...errorInfo(error) };
  }
}

/** The code and message of anything thrown: the client's errors carry the protocol's code. */
export function errorInfo(error: unknown): { code: string; message: string } {
  const code = typeof error === "object" && error !== null && typeof (error as { code?: unknown }).code === "string" ? (error as { code: string }).code : "error";
  const message = error instanceof Error ? error.message : String(error);
  return { code, message };
}

/** One line for the history: what happened, briefly. */
export function summarize(outcome: FireOutcome): string {
  if (!outcome.ok) return `${outcome.code}: ${outcome.message}`;
  if (outcome.kind === "trigger") {
    const failed = outcome.failed ? `, ${outcome.failed} failed` : "";
    return `${plural(outcome.handlers, "handler")}${failed}, ${plural(outcome.delivered, "browser")} reached`;
  }
  let reply = JSON.stringify(outcome.result) ?? "no value";
  if (reply.length > 60) reply = `${reply.slice(0, 59)}…`;
  return `reply ${reply} in ${Math.round(outcome.latencyMs)} ms`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

let entrySeq = 0;

/** Records a fire in the history (newest first). */
export function historyWith(history: readonly FireEntry[], outcome: FireOutcome, payload: string, at: number): FireEntry[] {
  const entry: FireEntry = { id: `${at.toString(36)}-${++entrySeq}`, kind: outcome.kind, name: outcome.name, payload, at, ok: outcome.ok, summary: summarize(outcome) };
  return addToHistory(history, entry);
}
