/**
 * The app's server: Next.js, the event bus, and its WebSocket transport at /ws/events.
 * Development: `npm run dev`. Production: `npm run build && npm start`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import next from "next";
import { ConfigError, events } from "@/lib/events";
import { loadConfig } from "@/lib/events/config";
import { EVENTS_PATH } from "@/lib/events/protocol";
import { EventsTransport } from "@/lib/events/server";
import { RedisAdapter, RedisUnavailableError } from "@/lib/events/adapters/redis";
import { buildClientBundle, serveClientBundle, type ClientBundle } from "@/lib/app-server/client-bundle";
import { announceClientScript, CLIENT_SCRIPT_PATH } from "@/lib/app-server/client-script";
import { listenAddress } from "@/lib/app-server/listen-address";
import { createMetrics } from "@/lib/app-server/metrics";
import { serveHealth, serveMetrics, serveReadiness } from "@/lib/app-server/operations";
import { publishRuntime } from "@/lib/app-server/runtime";
import { applySecurityHeaders } from "@/lib/app-server/security-headers";
import { onShutdownSignal } from "@/lib/app-server/shutdown";
import { logger } from "@/lib/logger";

async function main(): Promise<void> {
  const log = logger();
  const { config, file, warnings } = loadConfig();
  for (const warning of warnings) log.warn(warning);
  events.configure({
    queueSize: config.queueSize,
    historySize: config.historySize,
    requestTimeout: config.requestTimeoutMs,
    maxPayload: config.maxPayload,
    logger: log,
  });
  if (config.redisUrl) {
    events.useAdapter(
      await RedisAdapter.connect({ url: config.redisUrl, instance: events.instance, historySize: config.historySize, logger: log, startup: config.redisStartup }),
    );
  }
  // The app's declarations exist before anything can trigger.
  await import("./events/index");
  const declarationsLoaded = true;

  const { host, port } = listenAddress();
  const dev = process.env.NODE_ENV !== "production";
  const transport = config.enabled ? new EventsTransport({ bus: events, config, logger: log }) : undefined;
  const clientBundle: ClientBundle | undefined = transport ? await buildClientBundle(!dev) : undefined;
  announceClientScript(clientBundle ? CLIENT_SCRIPT_PATH : undefined);
  publishRuntime({ config, transport, production: !dev, startedAt: Date.now() });
  const metrics = createMetrics(events, transport);

  // The port is bound first (PORT=0 picks one); requests that come while Next prepares get a 503.
  const nextApp: { handle?: (req: IncomingMessage, res: ServerResponse) => Promise<void> } = {};
  const readiness = { bus: events, transport, nextReady: () => nextApp.handle !== undefined, declarationsLoaded: () => declarationsLoaded, redisConfigured: !!config.redisUrl };
  const server = createServer((req, res) => {
    // Security headers and this request's CSP nonce, on every answer below (Next's included).
    applySecurityHeaders(req, res, { production: !dev });
    const path = pathOf(req);
    if (clientBundle && path === CLIENT_SCRIPT_PATH) return serveClientBundle(clientBundle, req, res);
    if (path === "/healthz") return serveHealth(res);
    if (path === "/readyz") return serveReadiness(res, readiness);
    if (path === "/metrics") return void serveMetrics(req, res, metrics, !dev, config.metricsToken);
    if (nextApp.handle) return void nextApp.handle(req, res);
    res.writeHead(503, { "content-type": "text/plain", "retry-after": "1" }).end("Starting…");
  });
  // Only /ws/events is ours. Every other upgrade (Next's hot reload in development) is left to
  // the listener Next attaches itself: destroying it here would break Fast Refresh.
  server.on("upgrade", (req, socket, head) => {
    if (pathOf(req) !== EVENTS_PATH) return;
    if (transport) return transport.handleUpgrade(req, socket, head);
    socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const { port: actualPort } = server.address() as AddressInfo;

  onShutdownSignal(async (signal) => {
    log.info({ signal }, "Shutting down: no new connections, finishing in-flight requests");
    server.close();
    await transport?.close();
    await events.adapter.close();
    server.closeAllConnections();
    log.info("Stopped");
  });

  const app = next({ dev, dir: import.meta.dirname, hostname: host, port: actualPort });
  await app.prepare();
  nextApp.handle = app.getRequestHandler();
  log.info(
    {
      url: `http://${host}:${actualPort}`,
      mode: dev ? "development" : "production",
      config: file ?? "defaults",
      events: config.enabled,
      instance: events.instance,
      adapter: events.adapter.kind,
    },
    `Ready on http://${host}:${actualPort}`,
  );
}

function pathOf(request: IncomingMessage): string {
  const url = request.url ?? "/";
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else if (error instanceof RedisUnavailableError) {
    console.error(`Startup error: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
