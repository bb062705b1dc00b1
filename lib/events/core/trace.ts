import { cutPreview, TRACE_PREVIEW_BYTES } from "../protocol/preview";
import type { Source } from "./types";

/** One trigger or request, as monitors (the dashboard) see it: the fields of the protocol's `trace` frame. */
export interface TraceRecord {
  kind: "trigger" | "request";
  name: string;
  /** Event id, or request id. */
  id: string;
  internal: boolean;
  source: Source;
  /** Start time, ms since the epoch. */
  at: number;
  /** Handlers that ran (for requests across instances, handlers that answered). */
  handlers: number;
  /** Browser deliveries (0 for requests and internal events). */
  delivered: number;
  durationMs: number;
  /** The error message, or null on success. For triggers, the first failing handler's. */
  error: string | null;
  /** The error code, or null on success. */
  code: string | null;
  /** The payload, or a preview string when its JSON is larger than `TRACE_PREVIEW_BYTES`. */
  data: unknown;
  /** For requests: the reply (previewed like `data`). */
  result?: unknown;
  /** A replay (the dashboard's): the id of the trace it fired again. */
  replayOf?: string;
  /**
   * One per handler that ran (events) or answer (queries), in the order they started; on another
   * instance's answer, `instance` names it. Empty when the run was refused before any handler.
   */
  spans: HandlerSpan[];
}

/**
 * One handler's run within a trigger, or one answer to a request: what the dashboard draws as a
 * bar of the trace's waterfall.
 */
export interface HandlerSpan {
  /** The handler's label: its function's name, or `handler #n`; `instance <id>` for a peer that did not answer. */
  handler: string;
  /** Where it was registered (`events/models.ts:12`), or null when unknown (a peer's timeout). */
  source: string | null;
  /** The instance whose handler ran. */
  instance: string;
  /** ms from the trace's start to the handler's start. */
  startMs: number;
  durationMs: number;
  outcome: "ok" | "error";
  /** On failure: the error's code (`handler_error` for anything the app threw) and message. */
  code?: string;
  message?: string;
  /**
   * On failure: the server-side stack (cut to `SPAN_STACK_CHARS`). Trace records reach monitor
   * sessions (the dashboard) only, never browsers.
   */
  stack?: string;
  /** Requests: this handler's value, previewed like payloads. */
  value?: unknown;
}

/** Stacks longer than this are cut. */
export const SPAN_STACK_CHARS = 4096;

export type TraceObserver = (record: TraceRecord) => void;


/** The value to show for a payload: itself when small, else the start of its JSON and a note. */
export function previewOf(value: unknown, json?: string): unknown {
  if (value === null || typeof value === "number" || typeof value === "boolean") return value;
  if (value === undefined) return null;
  let text = json;
  if (text === undefined) {
    try {
      text = JSON.stringify(value);
    } catch {
      return `[unserialisable ${typeof value}]`;
    }
    if (text === undefined) return `[${typeof value}]`;
  }
  if (text.length <= TRACE_PREVIEW_BYTES) return json === undefined ? JSON.parse(text) : value;
  return cutPreview(text);
}
