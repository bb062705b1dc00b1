import type { IncomingMessage } from "node:http";
import { SUBPROTOCOL } from "../protocol/frames";
import { clipHeader } from "./refusal-log";

export type UpgradeVerdict = { ok: true } | { ok: false; status: number; reason: "shutting_down" | "origin" | "subprotocol"; message: string };

/**
 * The checks an upgrade to `/ws/events` must pass, in order, each refusing with an HTTP status
 * before any WebSocket exists. `host` is the public one (see `requestView`): the Host header, or
 * the proxy's X-Forwarded-Host under EVENTS_TRUST_PROXY.
 */
export function checkUpgrade(request: IncomingMessage, allowedOrigins: readonly string[], accepting: boolean, host = request.headers.host): UpgradeVerdict {
  if (!accepting) return { ok: false, status: 503, reason: "shutting_down", message: "The server is shutting down" };
  const origin = request.headers.origin;
  if (origin !== undefined && !isAllowedOrigin(origin, host, allowedOrigins)) {
    return { ok: false, status: 403, reason: "origin", message: `Origin ${clipHeader(origin)} may not open /ws/events` };
  }
  const offered = offeredSubprotocols(request);
  if (offered.length > 0 && !offered.includes(SUBPROTOCOL)) {
    return { ok: false, status: 400, reason: "subprotocol", message: `Unsupported subprotocol ${clipHeader(offered.join(", "))}: this server speaks ${SUBPROTOCOL}` };
  }
  return { ok: true };
}

/**
 * A browser's Origin must be the app's own (the host it connected to) or listed in
 * EVENTS_ALLOWED_ORIGINS: this is what stops cross-site WebSocket hijacking.
 */
function isAllowedOrigin(origin: string, host: string | undefined, allowedOrigins: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (allowedOrigins.includes(parsed.origin)) return true;
  if (host === undefined || /[\s/\\@?#]/.test(host) || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) return false;
  // Compared as the browser writes it: lower case, without the scheme's default port.
  try {
    return parsed.host === new URL(`${parsed.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

export function offeredSubprotocols(request: IncomingMessage): string[] {
  const header = request.headers["sec-websocket-protocol"];
  if (!header) return [];
  return header
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}
