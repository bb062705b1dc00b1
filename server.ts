/**
 * The app's server: Next.js, plus the event bus and its WebSocket transport.
 * Development: `npm run dev`. Production: `npm run build && npm start`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import next from "next";
import { ConfigError, events } from "@/lib/events";
import { loadConfig } from "@/lib/events/config";
import { listenAddress } from "@/lib/app-server/listen-address";
import { logger } from "@/lib/logger";

async function main(): Promise<void> {
  const log = logger();
  const { config, file, warnings } = loadConfig();
  for (const warning of warnings) log.warn(warning);
  events.configure({
    queueSize: config.queueSize,
    historySize: config.historySize,
    requestTimeout: config.requestTimeoutMs,
    logger: log,
  });
  // The app's declarations exist before anything can trigger.
  await import("./events/index");

  const { host, port } = listenAddress();
  const dev = process.env.NODE_ENV !== "production";
  // The port is bound first (PORT=0 picks one); requests that come while Next prepares get a 503.
  const nextApp: { handle?: (req: IncomingMessage, res: ServerResponse) => Promise<void> } = {};
  const server = createServer((req, res) => {
    if (nextApp.handle) return void nextApp.handle(req, res);
    res.writeHead(503, { "content-type": "text/plain", "retry-after": "1" }).end("Starting…");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const { port: actualPort } = server.address() as AddressInfo;

  const app = next({ dev, dir: import.meta.dirname, hostname: host, port: actualPort });
  await app.prepare();
  nextApp.handle = app.getRequestHandler();
  log.info(
    { url: `http://${host}:${actualPort}`, mode: dev ? "development" : "production", config: file ?? "defaults", events: config.enabled },
    `Ready on http://${host}:${actualPort}`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
