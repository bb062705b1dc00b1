import type { Declaration } from "./declarations";
import { describeError, EventsError } from "../shared/errors";
import type { RunSpans } from "./spans";
import { previewOf, type TraceRecord } from "./trace";
import type { Source } from "./types";
import type { Watchers } from "./watchers";

/** How one trigger or request ended: everything its measurement and trace record are made of. */
export interface Outcome {
  kind: "trigger" | "request";
  declaration: Declaration;
  source: Source;
  /** Start, ms since the epoch, and `performance.now()` at the start. */
  at: number;
  started: number;
  /** "" for a trigger refused before it got an id. */
  id: string;
  handlers: number;
  delivered: number;
  /** Handlers that threw (triggers). */
  failed: number;
  /** What went wrong, if anything: the error, and for a trigger the handler it came from. */
  error?: { cause: unknown; handler?: string };
  data: unknown;
  /** `data` as JSON, when it was serialised already (public events): the preview reuses it. */
  json?: string;
  /** Requests: the reply. */
  result?: unknown;
  /** The id of the trace this replays, if it is a replay. */
  replayOf?: string | undefined;
  /** Its handlers' spans, when someone looks (monitors, or an OpenTelemetry SDK). */
  spans?: RunSpans | undefined;
}

/**
 * Hands the outcome to whoever watches: a payload-free measurement for metrics, and a trace
 * record for monitors (built only when someone traces: it costs a payload preview).
 */
export function recordOutcome(watchers: Watchers, outcome: Outcome): void {
  const { kind, declaration, error, spans } = outcome;
  spans?.end(error?.cause, outcome.id);
  const code = error === undefined ? null : error.handler !== undefined || !(error.cause instanceof EventsError) ? "handler_error" : error.cause.code;
  if (watchers.measuring) {
    watchers.measured({
      kind,
      name: declaration.name,
      internal: declaration.internal,
      outcome: code ?? "ok",
      durationMs: performance.now() - outcome.started,
      handlers: outcome.handlers,
      failed: outcome.failed,
      delivered: outcome.delivered,
    });
  }
  if (!watchers.tracing) return;
  const record: TraceRecord = {
    kind,
    name: declaration.name,
    id: outcome.id,
    internal: declaration.internal,
    source: outcome.source,
    at: outcome.at,
    handlers: outcome.handlers,
    delivered: outcome.delivered,
    durationMs: performance.now() - outcome.started,
    error: error === undefined ? null : `${error.handler === undefined ? "" : `${error.handler}: `}${describeError(error.cause)}`,
    code,
    data: previewOf(outcome.data, outcome.json),
    spans: spans?.recorded() ?? [],
  };
  // Added, not spread: a spread in an object literal costs every trace a slower copy.
  if (kind === "request") record.result = "result" in outcome ? previewOf(outcome.result) : null;
  if (outcome.replayOf !== undefined) record.replayOf = outcome.replayOf;
  watchers.trace(record);
}
