import { EVENTS_PATH } from "@/lib/events/protocol/frames";
import { UsageError } from "./exit";

/** The server's default address: a development server on this machine. */
export const DEFAULT_URL = "http://localhost:3000";

/** Where the app runs: its HTTP origin (for the token route) and its events endpoint. */
export interface Target {
  /** `http://localhost:3000`: the app's origin, no path. */
  origin: string;
  /** `ws://localhost:3000/ws/events`. */
  events: string;
}

/**
 * Reads `--url`: the app's address as a browser would open it (`http://…` or `https://…`; a
 * `ws(s)://` address is taken too). Only the origin counts: the events live at /ws/events on it.
 */
export function resolveTarget(url: string): Target {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url is ${JSON.stringify(url)}: expected the app's address, such as ${DEFAULT_URL} or https://app.example.com`);
  }
  const secure = parsed.protocol === "https:" || parsed.protocol === "wss:";
  if (!secure && parsed.protocol !== "http:" && parsed.protocol !== "ws:") {
    throw new UsageError(`--url is ${JSON.stringify(url)}: expected an http:// or https:// address`);
  }
  if (parsed.username || parsed.password) {
    throw new UsageError("--url carries a user name or password: give the dashboard token with --token or WEBFLUID_EVENTS_TOKEN instead");
  }
  if (parsed.search) {
    throw new UsageError("--url carries a query string: tokens never go in a URL; give the dashboard token with --token or WEBFLUID_EVENTS_TOKEN");
  }
  const host = parsed.host;
  return { origin: `${secure ? "https" : "http"}://${host}`, events: `${secure ? "wss" : "ws"}://${host}${EVENTS_PATH}` };
}
