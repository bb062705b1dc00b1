/**
 * The app's server: Next.js, the event bus, and its WebSocket transport at /ws/events.
 * Development: `npm run dev`. Production: `npm run build && npm start`.
 */
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import next from "next";
import { ConfigError, events } from "@/lib/events";
import { busSettingsOf, loadConfig } from "@/lib/events/config";
import { EventsTransport } from "@/lib/events/server";
import { normalizeForwarded, requestView } from "@/lib/events/server/forwarded";
import { clipHeader, RefusalLog } from "@/lib/events/server/refusal-log";
import { RedisAdapter, RedisRefusedError, RedisUnavailableError, redisTargetOf, type RedisTarget } from "@/lib/events/adapters/redis";
import { hostRule } from "@/lib/app-server/allowed-hosts";
import { stampRequestView } from "@/lib/app-server/client-address";
import { appRoot } from "@/lib/app-server/app-root";
import { bundleClient, clientBundleOf, loadBuiltClientBundle, serveClientBundle, type ClientBundle } from "@/lib/app-server/client-bundle";
import { startDevReload } from "@/lib/app-server/dev-reload";
import { announceClientScript, CLIENT_SCRIPT_PATH } from "@/lib/app-server/client-script";
import { fileLimitWarning } from "@/lib/app-server/fd-limit";
import { listenAddress } from "@/lib/app-server/listen-address";
import { createMetrics } from "@/lib/app-server/metrics";
import { serveHealth, serveMetrics, serveReadiness } from "@/lib/app-server/operations";
import { pathOf } from "@/lib/app-server/path-of";
import { publishRuntime } from "@/lib/app-server/runtime";
import { applySecurityHeaders } from "@/lib/app-server/security-headers";
import { onShutdownSignal } from "@/lib/app-server/shutdown";
import { guardSockets } from "@/lib/app-server/socket-guard";
import { routeUpgrade } from "@/lib/app-server/upgrades";
import { MemorySessionStore, type SessionStore } from "@/lib/app-server/session-store";
import { RedisSessionStore } from "@/lib/app-server/redis-session-store";
import { SignInThrottle } from "@/lib/app-server/sign-in-throttle";
import { logger } from "@/lib/logger";

async function main(): Promise<void> {
  const log = logger();
  const root = appRoot();
  const { config, file, warnings } = loadConfig({ cwd: root });
  for (const warning of warnings) log.warn(warning);
  const fileLimit = fileLimitWarning(config.maxConnections);
  if (fileLimit) log.warn(fileLimit);
  events.configure({ ...busSettingsOf(config), logger: log });
  const redis = redisTargetOf(config);
  if (redis) {
    events.useAdapter(
      await RedisAdapter.connect({ target: redis, instance: events.instance, historySize: config.historySize, logger: log, startup: config.redisStartup }),
    );
  }
  const sessions = await sessionStore(redis, log);
  // Development: handlers follow their files (events/ is watched and re-imported, route files are
  // re-run by Next); from before the first import, so that every registration has its module.
  if (process.env.NODE_ENV !== "production") startDevReload({ bus: events, root, logger: log });
  // The app's declarations exist before anything can trigger.
  await import("./events/index");

  const { host, port } = listenAddress();
  const dev = process.env.NODE_ENV !== "production";
  const refusals = new RefusalLog(log);
  const transport = config.enabled
    ? new EventsTransport({ bus: events, config, logger: log, refusals, isSessionLive: (session) => sessions.isLive(session), recordingReplay: dev })
    : undefined;
  if (transport) events.reportStatus(() => transport.status());
  // Production serves the bundle `npm run build` made; development bundles the client at start.
  const clientBundle: ClientBundle | undefined = !transport ? undefined : dev ? clientBundleOf(await bundleClient(root, false)) : loadBuiltClientBundle(root);
  announceClientScript(clientBundle ? CLIENT_SCRIPT_PATH : undefined);
  publishRuntime({ config, transport, production: !dev, startedAt: Date.now(), sessions, signInThrottle: new SignInThrottle(), refusals });
  const metrics = createMetrics(events, transport, refusals);
  const checkHost = hostRule(config.allowedHosts, dev);

  // The port is bound first (PORT=0 picks one); requests that come while Next prepares get a 503.
  const nextApp: { handle?: (req: IncomingMessage, res: ServerResponse) => Promise<void> } = {};
  const readiness = { bus: events, transport, nextReady: () => nextApp.handle !== undefined, redisConfigured: redis !== undefined };
  const server = createServer((req, res) => {
    // Security headers and this request's CSP nonce, on every answer below (Next's included).
    applySecurityHeaders(req, res, { production: !dev });
    const path = pathOf(req);
    // Probes come from load balancers, often by IP address: answered whatever the Host.
    if (path === "/healthz") return serveHealth(res);
    if (path === "/readyz") return serveReadiness(res, readiness);
    // The public host, scheme and client address: the proxy's, under EVENTS_TRUST_PROXY.
    const view = requestView(req, config.trustProxy);
    const hostVerdict = checkHost(view.host);
    if (!hostVerdict.ok) return refuseHost(req, res, view.host, hostVerdict.message, refusals);
    normalizeForwarded(req, view, config.trustProxy);
    stampRequestView(req, view);
    if (clientBundle && path === CLIENT_SCRIPT_PATH) return serveClientBundle(clientBundle, req, res);
    if (path === "/metrics") return void serveMetrics(req, res, metrics, !dev, config.metricsToken);
    if (nextApp.handle) return void nextApp.handle(req, res);
    res.writeHead(503, { "content-type": "text/plain", "retry-after": "1" }).end("Starting…");
  });
  guardSockets(server, config, refusals);
  // Every upgrade is answered here. Next gets its own listener on an emitter of its own (passed
  // as its `httpServer`), which receives only its hot-reload upgrades, in development.
  const nextUpgrades = dev ? new EventEmitter() : undefined;
  server.on("upgrade", (req, socket, head) => routeUpgrade({ checkHost, trustProxy: config.trustProxy, transport, nextUpgrades, refusals }, req, socket, head));
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
    await sessions.close();
    refusals.flush();
    server.closeAllConnections();
    log.info("Stopped");
  });

  const app = next({
    dev,
    dir: root,
    hostname: host,
    port: actualPort,
    // Without an emitter of our own Next would attach to `server` itself on the first request.
    httpServer: (nextUpgrades ?? new EventEmitter()) as unknown as Server,
  });
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

/** Dashboard sessions in Redis when the bus is there (shared, and kept across restarts), else in memory. */
async function sessionStore(redis: RedisTarget | undefined, log: ReturnType<typeof logger>): Promise<SessionStore> {
  if (!redis) return new MemorySessionStore();
  const store = new RedisSessionStore(redis);
  // The adapter already applied EVENTS_REDIS_STARTUP; until Redis answers, sign-ins fail closed.
  await store.connect().catch((error: unknown) => log.warn({ err: error }, "Dashboard sessions: Redis is unreachable; signing in waits for it"));
  return store;
}

function refuseHost(req: IncomingMessage, res: ServerResponse, host: string | undefined, message: string, refusals: RefusalLog): void {
  refusals.note("host", "Refused a request for another host", { host: clipHeader(host), path: clipHeader(pathOf(req)) });
  res.writeHead(403, { "content-type": "text/plain; charset=utf-8", connection: "close" }).end(`${message}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else if (error instanceof RedisUnavailableError || error instanceof RedisRefusedError) {
    console.error(`Startup error: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
