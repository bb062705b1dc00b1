/**
 * Finding 5: the development dashboard needs no token, and any Host was served, so a site whose
 * name is rebound to 127.0.0.1 was same-origin with the dev server: it could fetch a monitor
 * token, watch internal traffic and fire internal events. Replayed against a development server
 * (and a production one with EVENTS_ALLOWED_HOSTS): a foreign Host gets 403 everywhere.
 */
import { rawRequest, upgradeRequest, Verdict, type AttackContext, type Finding } from "./kit";

export async function dnsRebinding(context: AttackContext): Promise<Finding> {
  const verdict = new Verdict(5, "A rebound name is refused: only known hosts are served");
  const dev = await context.server({ env: { NODE_ENV: "development" }, timeoutMs: 120_000 });
  const production = await context.server({ env: { EVENTS_ALLOWED_HOSTS: "app.example.com" } });
  const results: string[] = [];
  for (const [label, server] of [["development", dev], ["production with EVENTS_ALLOWED_HOSTS", production]] as const) {
    const evil = `evil.example:${server.port}`;
    const get = (path: string) => rawRequest(server.port, `GET ${path} HTTP/1.1\r\nHost: ${evil}\r\nOrigin: http://${evil}\r\nConnection: close\r\n\r\n`);
    const token = await get("/api/events/monitor-token");
    const page = await get("/");
    const socket = await rawRequest(server.port, upgradeRequest("/ws/events", evil, { Origin: `http://${evil}`, "Sec-WebSocket-Protocol": "wf-events.v1" }));
    results.push(`${label}: token ${token.status}, page ${page.status}, WebSocket ${socket.status}`);
    verdict
      .check(token.status === 403, `${label}: the monitor-token route answered ${token.status} to a foreign Host`)
      .check(page.status === 403, `${label}: the page answered ${page.status} to a foreign Host`)
      .check(socket.status === 403, `${label}: /ws/events answered ${socket.status} to a foreign Host`)
      .check(token.body.includes("EVENTS_ALLOWED_HOSTS"), `${label}: the 403 does not name EVENTS_ALLOWED_HOSTS`);
  }
  const own = await rawRequest(dev.port, `GET /events.js HTTP/1.1\r\nHost: localhost:${dev.port}\r\nConnection: close\r\n\r\n`);
  verdict.check(own.status === 200, `development answered ${own.status} for localhost`);
  for (const line of results) verdict.figure(line.split(":")[0]!, line.slice(line.indexOf(":") + 2));
  return verdict.figure("development, Host localhost", own.status).done();
}
