import type { IncomingMessage } from "node:http";
import { addressKey } from "@/lib/events/server/address-key";
import type { RequestView } from "@/lib/events/server/forwarded";

/**
 * The request header that carries the client's address to route handlers: Next does not hand
 * them the socket. server.ts sets it on every request, replacing whatever a client sent under
 * this name, so a route may trust it.
 */
export const CLIENT_ADDRESS_HEADER = "x-webfluid-client-address";

/**
 * The request header that carries the public origin (`https://host:port`, as the client asked
 * for it) to route handlers, set the same way: from the socket and Host, or from the proxy's
 * forwarded headers under EVENTS_TRUST_PROXY.
 */
export const PUBLIC_ORIGIN_HEADER = "x-webfluid-public-origin";

export function stampRequestView(request: IncomingMessage, view: RequestView): void {
  request.headers[CLIENT_ADDRESS_HEADER] = addressKey(view.address);
  if (view.host === undefined) delete request.headers[PUBLIC_ORIGIN_HEADER];
  else request.headers[PUBLIC_ORIGIN_HEADER] = `${view.https ? "https" : "http"}://${view.host}`;
}

/** The address server.ts stamped ("unknown" outside it: every such request shares one budget). */
export function clientAddressOf(headers: Headers): string {
  return headers.get(CLIENT_ADDRESS_HEADER) ?? "unknown";
}

/** The public origin server.ts stamped; undefined outside it or when the request had no usable Host. */
export function publicOriginOf(headers: Headers): URL | undefined {
  const origin = headers.get(PUBLIC_ORIGIN_HEADER);
  if (!origin) return undefined;
  try {
    return new URL(origin);
  } catch {
    return undefined;
  }
}
