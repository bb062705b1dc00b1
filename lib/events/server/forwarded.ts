import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import type { TLSSocket } from "node:tls";

/** How a request looks from the outside: what the host, scheme and client address checks use. */
export interface RequestView {
  /** The Host the client asked for (with its port, if it gave one); undefined when none. */
  host: string | undefined;
  /** The client reached us over TLS: directly, or (with trust) through the proxy. */
  https: boolean;
  /** The client's address: the socket's peer, or (with trust) the address the proxy saw. */
  address: string | undefined;
}

/** The forwarded headers a proxy sets; read only under EVENTS_TRUST_PROXY, removed otherwise. */
export const FORWARDED_HEADERS = ["x-forwarded-host", "x-forwarded-proto", "x-forwarded-for"] as const;

/**
 * The longest forwarded value read: a host name with a port, or an IPv6 address. Only the tail
 * of a header is looked at, so a long chain costs nothing and cannot push the value out of reach.
 */
const MAX_FORWARDED_VALUE = 300;

const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?)(:\d{1,5})?$/i;

/**
 * The request as the client made it. Without trust, the socket and the Host header are all
 * there is: any client can write X-Forwarded-* headers, so they are ignored. With trust (the
 * peer is a reverse proxy you run, and the only way in), each forwarded header's right-most
 * value is taken: proxies append to a chain, so that is the one our proxy wrote, and any value
 * to its left came from the client. A missing or malformed forwarded value falls back to what
 * the socket says, never to a guess.
 */
export function requestView(request: IncomingMessage, trustProxy: boolean): RequestView {
  const direct: RequestView = {
    host: request.headers.host,
    https: (request.socket as Partial<TLSSocket>).encrypted === true,
    address: request.socket.remoteAddress,
  };
  if (!trustProxy) return direct;
  const host = lastValue(request.headers["x-forwarded-host"]);
  const proto = lastValue(request.headers["x-forwarded-proto"])?.toLowerCase();
  const address = lastValue(request.headers["x-forwarded-for"]);
  return {
    host: host !== undefined && HOST.test(host) ? host : direct.host,
    https: proto === "https" ? true : proto === "http" ? false : direct.https,
    address: address !== undefined && isIP(address) !== 0 ? address : direct.address,
  };
}

/**
 * For what reads the headers after us (Next, route handlers): without trust the forwarded
 * headers are removed, so nothing downstream can be fooled by them; with trust each is replaced
 * by the single value `view` took, so every reader agrees with our checks.
 */
export function normalizeForwarded(request: IncomingMessage, view: RequestView, trustProxy: boolean): void {
  for (const name of FORWARDED_HEADERS) delete request.headers[name];
  if (!trustProxy) return;
  if (view.host !== undefined) request.headers["x-forwarded-host"] = view.host;
  request.headers["x-forwarded-proto"] = view.https ? "https" : "http";
  if (view.address !== undefined) request.headers["x-forwarded-for"] = view.address;
}

/** The right-most entry of a comma-separated header (repeated headers arrive joined by Node); undefined when empty or too long. */
function lastValue(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join(",") : header;
  if (!text) return undefined;
  const tail = text.slice(-(MAX_FORWARDED_VALUE + 1));
  const comma = tail.lastIndexOf(",");
  // No comma in the tail of a longer header: its last value is longer than any real one.
  if (comma === -1 && tail.length < text.length) return undefined;
  const value = tail.slice(comma + 1).trim();
  return value === "" || value.length > MAX_FORWARDED_VALUE ? undefined : value;
}
