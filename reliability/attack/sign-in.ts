/**
 * Finding 6: sign-in was not throttled (3,000 wrong tokens at 99/s, then the right one
 * accepted); signing out only cleared the browser's cookie (a copy still worked, also after a
 * restart); a monitor connection stayed a monitor after its token expired and after the
 * dashboard token changed. Replayed, each.
 */
import { createMonitorToken } from "../../lib/events/server/monitor-token";
import { APP_SERVER_SECRET_KEY } from "../../test/support/app-server";
import WebSocket from "ws";
import { DASHBOARD_TOKEN, http, openSocket, pool, Verdict, type AttackContext, type Finding } from "./kit";

const ATTACKER = "127.0.60.1";
const OPERATOR = "127.0.60.2";

export async function signInAndSessions(context: AttackContext): Promise<Finding> {
  const verdict = new Verdict(6, "Sign-in is throttled, sessions are revoked, monitors end with their token");
  const env = { EVENTS_DASHBOARD_TOKEN: DASHBOARD_TOKEN };
  const server = await context.server({ env });
  const signIn = (token: string, localAddress: string) =>
    http(server.url, { method: "POST", path: "/api/dashboard/session", headers: { "content-type": "application/json" }, body: JSON.stringify({ token }), localAddress });

  // Guessing, 20 at a time, as fast as the server answers.
  const started = performance.now();
  const statuses = await pool(context.sizes.wrongTokens, 20, (index) => signIn(`guess-${index}-0123456789abcdef`, ATTACKER).then((answer) => answer.status));
  const seconds = (performance.now() - started) / 1_000;
  const checked = statuses.filter((status) => status === 401).length;
  const right = await signIn(DASHBOARD_TOKEN, ATTACKER);

  // Revocation: the operator signs in, keeps a copy of the cookie, signs out.
  const operator = await signIn(DASHBOARD_TOKEN, OPERATOR);
  const cookie = String(operator.headers["set-cookie"]?.[0] ?? "").split(";")[0]!;
  const tokenBefore = await http(server.url, { path: "/api/events/monitor-token", headers: { cookie }, localAddress: OPERATOR });
  const { token } = JSON.parse(tokenBefore.body) as { token: string };
  const monitor = await openSocket(server.url, OPERATOR);
  if (!(monitor instanceof WebSocket)) throw new Error(`the operator's socket was refused with ${monitor}`);
  const monitorClosed = new Promise<number>((resolve) => monitor.once("close", (code) => resolve(code)));
  monitor.send(JSON.stringify({ type: "monitor", ref: 1, token }));
  await new Promise((resolve) => monitor.once("message", resolve)); // the welcome
  await http(server.url, { method: "DELETE", path: "/api/dashboard/session", headers: { cookie }, localAddress: OPERATOR });
  const copyAfterSignOut = await http(server.url, { path: "/api/events/monitor-token", headers: { cookie }, localAddress: OPERATOR });
  const closeAtSignOut = await Promise.race([monitorClosed, new Promise<number>((resolve) => setTimeout(() => resolve(0), 3_000))]);

  // A monitor whose token expires without a fresh one.
  const expiring = await openSocket(server.url, OPERATOR);
  if (!(expiring instanceof WebSocket)) throw new Error(`a socket was refused with ${expiring}`);
  const expiredAt = new Promise<number>((resolve) => expiring.once("close", (code) => resolve(code)));
  expiring.send(JSON.stringify({ type: "monitor", ref: 1, token: createMonitorToken(APP_SERVER_SECRET_KEY, { ttlMs: 1_500, dashboardToken: DASHBOARD_TOKEN }) }));
  const closeAtExpiry = await Promise.race([expiredAt, new Promise<number>((resolve) => setTimeout(() => resolve(0), 5_000))]);

  // The dashboard token changes (a restart with another one): tokens and cookies of before end.
  const kept = JSON.parse((await http(server.url, { path: "/api/events/monitor-token", headers: { cookie: String((await signIn(DASHBOARD_TOKEN, "127.0.60.3")).headers["set-cookie"]?.[0] ?? "").split(";")[0]! }, localAddress: "127.0.60.3" })).body) as { token: string };
  await server.stop();
  const rotated = await context.server({ env: { EVENTS_DASHBOARD_TOKEN: `${DASHBOARD_TOKEN}-rotated`, PORT: String(server.port) } });
  const afterRotation = await openSocket(rotated.url, OPERATOR);
  if (!(afterRotation instanceof WebSocket)) throw new Error(`a socket was refused with ${afterRotation}`);
  const rotatedReply = await new Promise<{ type: string; code?: string }>((resolve) => {
    afterRotation.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; ref?: number; code?: string };
      if (frame.ref === 1) resolve(frame);
    });
    afterRotation.send(JSON.stringify({ type: "monitor", ref: 1, token: kept.token }));
  });
  afterRotation.terminate();

  return verdict
    .figure(`wrong tokens sent (20 at a time)`, `${context.sizes.wrongTokens} in ${seconds.toFixed(1)} s`)
    .figure("checked (401) / throttled (429)", `${checked} / ${statuses.filter((status) => status === 429).length}`)
    .figure("then the right token", right.status)
    .figure("a copied cookie after sign-out", copyAfterSignOut.status)
    .figure("the session's monitor at sign-out", closeAtSignOut ? `closed ${closeAtSignOut}` : "still open")
    .figure("a monitor whose 1.5 s token was not renewed", closeAtExpiry ? `closed ${closeAtExpiry}` : "still open")
    .figure("a monitor token of before, after the dashboard token changed", rotatedReply.code ?? rotatedReply.type)
    .check(checked <= 10, `${checked} wrong tokens were checked (5 free, then one per wait)`)
    .check(right.status === 429, `the right token got ${right.status} while the address waits`)
    .check(copyAfterSignOut.status === 401, `a copied cookie got ${copyAfterSignOut.status} after sign-out`)
    .check(closeAtSignOut === 4401, `the monitor of the signed-out session: ${closeAtSignOut || "not closed"}`)
    .check(closeAtExpiry === 4401, `the monitor with an expired token: ${closeAtExpiry || "not closed"}`)
    .check(rotatedReply.code === "unauthorized", `a token of the old dashboard token got ${rotatedReply.code ?? rotatedReply.type}`)
    .done();
}
