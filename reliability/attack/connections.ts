/**
 * Finding 2: one process opened 8,000 WebSockets in 6.6 s (+91 MB); two reached the fd limit and
 * new connections were refused, silently. Replayed: one address gets its share and then 429s,
 * another address is still served, the process cap answers 503, and the log says so briefly.
 */
import WebSocket from "ws";
import { mb, openSocket, pool, rssMB, Verdict, type AttackContext, type Finding } from "./kit";

export async function connectionFlood(context: AttackContext): Promise<Finding> {
  const verdict = new Verdict(2, "Connections are capped per address and per process, with 429/503 and Retry-After");
  const server = await context.server();
  const pid = server.process.pid!;
  const rssBefore = rssMB(pid);
  const from = server.lines.length;
  const held: WebSocket[] = [];
  const statuses = new Map<number, number>();
  const started = performance.now();
  await pool(context.sizes.webSockets, 200, async () => {
    const outcome = await openSocket(server.url, "127.0.20.1");
    if (outcome instanceof WebSocket) held.push(outcome);
    else statuses.set(outcome, (statuses.get(outcome) ?? 0) + 1);
  });
  const seconds = (performance.now() - started) / 1_000;
  const rssAfter = rssMB(pid);
  const other = await openSocket(server.url, "127.0.20.2");
  const otherServed = other instanceof WebSocket;
  if (other instanceof WebSocket) other.terminate();
  const health = await fetch(`${server.url}/healthz`).then((response) => response.status, () => 0);
  const logLines = server.lines.length - from;
  for (const socket of held) socket.terminate();

  // The process cap, from many addresses at once: a server of its own with a small cap.
  const capped = await context.server({ env: { EVENTS_MAX_CONNECTIONS: String(context.sizes.globalCap) } });
  const cappedHeld: WebSocket[] = [];
  const cappedStatuses = new Map<number, number>();
  const attempts = context.sizes.globalCap * 2;
  await pool(attempts, 100, async (index) => {
    const outcome = await openSocket(capped.url, `127.0.21.${1 + (index % 50)}`);
    if (outcome instanceof WebSocket) cappedHeld.push(outcome);
    else cappedStatuses.set(outcome, (cappedStatuses.get(outcome) ?? 0) + 1);
  });
  for (const socket of cappedHeld) socket.terminate();

  // Past its WebSockets plus 32 sockets, an address's new sockets are refused before their request
  // is read: the client may see the 429 or, when its request was still arriving, a reset (0).
  const tooMany = (statuses.get(429) ?? 0) + (statuses.get(0) ?? 0);
  return verdict
    .figure("WebSockets tried from one address", context.sizes.webSockets)
    .figure("opened / refused (429 or reset)", `${held.length} / ${tooMany}`)
    .figure("in", `${seconds.toFixed(1)} s`)
    .figure("server RSS before → after", `${mb(rssBefore)} → ${mb(rssAfter)}`)
    .figure("another address served", otherServed ? "yes" : "no")
    .figure("log lines", logLines)
    .figure(`process cap ${context.sizes.globalCap}: opened / refused 503 of ${attempts} from 50 addresses`, `${cappedHeld.length} / ${cappedStatuses.get(503) ?? 0}`)
    .check(held.length === 100, `one address opened ${held.length} WebSockets (the default cap is 100)`)
    .check(tooMany === context.sizes.webSockets - held.length, `refusals other than 429 or a reset: ${JSON.stringify(Object.fromEntries(statuses))}`)
    .check(rssAfter - rssBefore < 30, `RSS grew by ${mb(rssAfter - rssBefore)}`)
    .check(otherServed, "another address was refused while the first held its share")
    .check(health === 200, `/healthz answered ${health}`)
    .check(logLines <= 5, `${logLines} log lines`)
    .check(cappedHeld.length === context.sizes.globalCap, `${cappedHeld.length} opened under a process cap of ${context.sizes.globalCap}`)
    .check((cappedStatuses.get(503) ?? 0) === attempts - context.sizes.globalCap, `refusals past the process cap: ${JSON.stringify(Object.fromEntries(cappedStatuses))}`)
    .done();
}
