import type { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { EVENTS_PATH } from "@/lib/events/protocol";
import type { EventsTransport } from "@/lib/events/server";
import { addressKey } from "@/lib/events/server/address-key";
import { requestView } from "@/lib/events/server/forwarded";
import { refuseUpgrade } from "@/lib/events/server/refuse-upgrade";
import { clipHeader, type RefusalLog } from "@/lib/events/server/refusal-log";
import type { HostVerdict } from "./allowed-hosts";
import { pathOf } from "./path-of";

/** Where Next's development server takes its hot-reload socket (Next 16: `/_next/hmr?id=…`). */
export const NEXT_HMR_PATH = "/_next/hmr";

export interface UpgradeRoutes {
  checkHost: (host: string | undefined) => HostVerdict;
  /** EVENTS_TRUST_PROXY: the Host rule applies to the proxy's X-Forwarded-Host. */
  trustProxy: boolean;
  /** Undefined when EXT_EVENTS is off. */
  transport: EventsTransport | undefined;
  /**
   * Development: the emitter Next attached its own upgrade listener to (given to `next()` as its
   * `httpServer`), which gets the hot-reload upgrades and nothing else.
   */
  nextUpgrades: EventEmitter | undefined;
  refusals: RefusalLog;
}

/**
 * Answers every upgrade request: `/ws/events` goes to the transport, Next's hot-reload path to
 * Next (development only), anything else gets 404 and its socket is destroyed. Node leaves an
 * upgrade nobody answers open for good, and Next ignores the paths it does not route: one such
 * request per socket, repeated, exhausts the process's file descriptors.
 */
export function routeUpgrade(routes: UpgradeRoutes, request: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on("error", () => {}); // a peer that resets mid-handshake must not crash the process
  const path = pathOf(request);
  const view = requestView(request, routes.trustProxy);
  const refuse = (status: number, reason: Parameters<RefusalLog["note"]>[0], message: string, headers?: Record<string, string | number>) => {
    routes.refusals.note(reason, "Refused an upgrade", { status, path: clipHeader(path), host: clipHeader(view.host), address: addressKey(view.address) });
    refuseUpgrade(socket, status, message, headers);
  };

  const host = routes.checkHost(view.host);
  if (!host.ok) return refuse(403, "host", host.message);
  if (path === EVENTS_PATH) {
    if (routes.transport) return routes.transport.handleUpgrade(request, socket, head);
    return refuse(404, "upgrade_path", `${EVENTS_PATH} is off on this server (EXT_EVENTS=0)`);
  }
  if (routes.nextUpgrades && path.startsWith(NEXT_HMR_PATH)) {
    // Next attaches its listener on the first page request; a hot-reload client may be quicker.
    if (routes.nextUpgrades.listenerCount("upgrade") > 0) return void routes.nextUpgrades.emit("upgrade", request, socket, head);
    return refuse(503, "upgrade_path", "The development server is not ready for hot reload yet: load a page first", { "Retry-After": 1 });
  }
  refuse(404, "upgrade_path", `No WebSocket here: ${EVENTS_PATH} is the only WebSocket path`);
}
