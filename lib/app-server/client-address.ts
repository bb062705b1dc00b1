import type { IncomingMessage } from "node:http";
import { addressKey } from "@/lib/events/server/address-key";

/**
 * The request header that carries the client's address to route handlers: Next does not hand
 * them the socket. server.ts sets it on every request, replacing whatever a client sent under
 * this name, so a route may trust it.
 */
export const CLIENT_ADDRESS_HEADER = "x-webfluid-client-address";

export function stampClientAddress(request: IncomingMessage): void {
  request.headers[CLIENT_ADDRESS_HEADER] = addressKey(request.socket.remoteAddress);
}

/** The address server.ts stamped ("unknown" outside it: every such request shares one budget). */
export function clientAddressOf(headers: Headers): string {
  return headers.get(CLIENT_ADDRESS_HEADER) ?? "unknown";
}
