import type { Server } from "node:http";
import type { Socket } from "node:net";
import { addressKey } from "@/lib/events/server/address-key";
import { refuseUpgrade } from "@/lib/events/server/refuse-upgrade";
import type { RefusalLog } from "@/lib/events/server/refusal-log";

/** Plain HTTP sockets an address may hold besides its WebSockets (browsers open up to 6 per host). */
export const HTTP_SOCKETS_PER_IP = 32;
/** Plain HTTP sockets the process keeps room for besides its WebSockets. */
export const HTTP_SOCKETS_HEADROOM = 1_000;

export interface SocketLimits {
  maxConnections: number;
  maxConnectionsPerIp: number;
  /**
   * EVENTS_TRUST_PROXY: every socket comes from the proxy, so counting them per address would
   * cap the whole site at one address's share. The per-client limits then apply where the
   * client's address is known, to the forwarded one (WebSocket admission, sign-in throttle).
   */
  trustProxy?: boolean;
}

/**
 * Bounds the TCP sockets one client address may hold open (its WebSockets plus
 * HTTP_SOCKETS_PER_IP), and the process's (its WebSockets plus HTTP_SOCKETS_HEADROOM): a client
 * that opens thousands of idle sockets (or sends headers slowly) gets a 429 and a closed socket
 * at once, instead of using up the file descriptors until Node's header timeout ends them.
 */
export function guardSockets(server: Server, limits: SocketLimits, refusals: RefusalLog): void {
  const perAddress = limits.maxConnectionsPerIp + HTTP_SOCKETS_PER_IP;
  server.maxConnections = limits.maxConnections + HTTP_SOCKETS_HEADROOM;
  server.on("drop", (data?: { remoteAddress?: string }) => {
    refusals.note("max_sockets", "Dropped a connection: the process holds the most sockets it accepts (EVENTS_MAX_CONNECTIONS + headroom)", {
      address: addressKey(data?.remoteAddress),
    });
  });
  if (limits.trustProxy) return;
  const open = new Map<string, number>();
  server.on("connection", (socket: Socket) => {
    const address = addressKey(socket.remoteAddress);
    const count = (open.get(address) ?? 0) + 1;
    if (count > perAddress) {
      refusals.note("sockets_per_ip", "Refused a connection: the address holds the most sockets it may", { address, open: count - 1 });
      return refuseUpgrade(socket, 429, `Your address holds ${count - 1} connections to this server, the most it may: close some first`, { "Retry-After": 30 });
    }
    open.set(address, count);
    socket.once("close", () => {
      const left = open.get(address)! - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
