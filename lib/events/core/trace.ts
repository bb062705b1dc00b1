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
}

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
