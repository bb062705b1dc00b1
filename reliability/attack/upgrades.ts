/**
 * Finding 1: an upgrade to any path but /ws/events was never answered or closed, so each left a
 * socket in CLOSE-WAIT; 20,000 exhausted the file descriptors and the server stayed down.
 * Replayed from one address: every such upgrade must be answered and its socket closed by the
 * server, the descriptors must come back, and the server must keep answering.
 */
import { DASHBOARD_TOKEN, METRICS_TOKEN, openDescriptors, pool, rawRequest, upgradeRequest, Verdict, type AttackContext, type Finding } from "./kit";

const PATHS = ["/nope", "/ws/events/", "/ws", "/_next/webpack-hmr", "/_next/hmr?id=attack", "/api/models"];

export async function strayUpgrades(context: AttackContext): Promise<Finding> {
  const verdict = new Verdict(1, "Upgrades to any other path are answered and their sockets closed");
  const server = await context.server({ env: { EVENTS_DASHBOARD_TOKEN: DASHBOARD_TOKEN, EVENTS_METRICS_TOKEN: METRICS_TOKEN } });
  const pid = server.process.pid!;
  const before = await openDescriptors(pid);
  const started = performance.now();
  const statuses = new Map<number, number>();
  let leftOpen = 0;
  // 100 at a time from one address: under its socket cap, so each reaches the upgrade handler.
  await pool(context.sizes.upgrades, 100, async (index) => {
    const response = await rawRequest(server.port, upgradeRequest(PATHS[index % PATHS.length]!, `127.0.0.1:${server.port}`), { localAddress: "127.0.10.1", timeoutMs: 5_000 });
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    if (!response.closedByServer) leftOpen++;
  });
  const seconds = (performance.now() - started) / 1_000;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const after = await openDescriptors(pid);
  const health = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5_000) }).then((response) => response.status, () => 0);
  const answered = statuses.get(404) ?? 0;
  return verdict
    .figure("upgrades sent", context.sizes.upgrades)
    .figure("answered 404", answered)
    .figure("left open by the server", leftOpen)
    .figure("descriptors before → 1 s after", `${before} → ${after}`)
    .figure("rate", `${Math.round(context.sizes.upgrades / seconds)}/s`)
    .figure("/healthz after", health)
    .check(answered === context.sizes.upgrades, `only ${answered} of ${context.sizes.upgrades} upgrades were answered 404 (${JSON.stringify(Object.fromEntries(statuses))})`)
    .check(leftOpen === 0, `${leftOpen} sockets were left open by the server`)
    .check(after <= before + 5, `the server holds ${after - before} more descriptors than before`)
    .check(health === 200, `/healthz answered ${health}`)
    .done();
}

/**
 * Finding 7: each refused upgrade logged the whole Origin twice (8 KB origins: 15 MB of log a
 * second). Replayed: refused upgrades with 8 KB origins must add a few short lines, not one each.
 */
export async function logAmplification(context: AttackContext): Promise<Finding> {
  const verdict = new Verdict(7, "Refused upgrades with 8 KB origins add a few short log lines");
  const server = await context.server();
  const from = server.lines.length;
  const origin = `https://${"a".repeat(8_000)}.example`;
  const started = performance.now();
  const statuses = new Map<number, number>();
  await pool(context.sizes.refusedOrigins, 50, async () => {
    const response = await rawRequest(server.port, upgradeRequest("/ws/events", `127.0.0.1:${server.port}`, { Origin: origin }), { localAddress: "127.0.70.1" });
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  });
  const seconds = (performance.now() - started) / 1_000;
  await new Promise((resolve) => setTimeout(resolve, 500));
  const added = server.lines.slice(from);
  const bytes = added.reduce((sum, line) => sum + line.length + 1, 0);
  const longest = added.reduce((max, line) => Math.max(max, line.length), 0);
  const refused = statuses.get(403) ?? 0;
  return verdict
    .figure("refused upgrades (403)", refused)
    .figure("in", `${seconds.toFixed(1)} s`)
    .figure("log lines added", added.length)
    .figure("log bytes added", bytes)
    .figure("longest line", `${longest} characters`)
    .check(refused === context.sizes.refusedOrigins, `only ${refused} of ${context.sizes.refusedOrigins} were refused with 403`)
    .check(added.length <= 3, `${added.length} log lines for ${refused} refusals`)
    .check(longest <= 1_500, `a log line of ${longest} characters`)
    .done();
}
