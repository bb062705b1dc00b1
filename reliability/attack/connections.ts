/**
 * Finding 2: one process opened 8,000 WebSockets in 6.6 s (+91 MB); two reached the fd limit and
 * new connections were refused, silently. Replayed: one address gets its share and then 429s,
 * another address is still served, the process cap answers 503, and the log says so briefly.
 */
import WebSocket from "ws";
import { Inspector, inspectorUrl } from "../inspector";
import { mb, openSocket, pool, Verdict, type AttackContext, type Finding } from "./kit";

export async function connectionFlood(context: AttackContext): Promise<Finding> {
  const verdict = new Verdict(2, "Connections are capped per address and per process, with 429/503 and Retry-After");
  // The inspector forces a full collection before each reading: RSS and V8's heap otherwise
  // grow lazily after any burst, retained or not.
  const server = await context.server({ env: { NODE_OPTIONS: "--inspect=127.0.0.1:0 --expose-gc" } });
  const inspector = await Inspector.connect(inspectorUrl(server.lines)!);
  const live = async () => {
    const memory = await inspector.liveMemory();
    return { rss: memory.rss / 1_048_576, heap: memory.heapUsed / 1_048_576 };
  };
  // Warm up (the first request and connection initialise what every later one shares).
  await fetch(`${server.url}/healthz`);
  const warm = await openSocket(server.url, "127.0.20.9");
  if (warm instanceof WebSocket) warm.terminate();
  const before = await live();
  const from = server.lines.length;
  const held: WebSocket[] = [];
  const statuses = new Map<number, number>();
  const flood = () =>
    pool(context.sizes.webSockets, 200, async () => {
      const outcome = await openSocket(server.url, "127.0.20.1");
      if (outcome instanceof WebSocket) held.push(outcome);
      else statuses.set(outcome, (statuses.get(outcome) ?? 0) + 1);
    });
  const started = performance.now();
  await flood();
  const seconds = (performance.now() - started) / 1_000;
  const whileHeld = await live();
  const other = await openSocket(server.url, "127.0.20.2");
  const otherServed = other instanceof WebSocket;
  if (other instanceof WebSocket) other.terminate();
  const health = await fetch(`${server.url}/healthz`).then((response) => response.status, () => 0);
  const logLines = server.lines.length - from;
  const firstHeld = held.length;
  for (const socket of held.splice(0)) socket.terminate();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const afterFirst = await live();
  // The same flood again: whatever a flood leaves behind would show as growth here.
  await flood();
  for (const socket of held.splice(0)) socket.terminate();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const afterSecond = await live();
  inspector.close();

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
  const attemptsOfOne = 2 * context.sizes.webSockets;
  return verdict
    .figure("WebSockets tried from one address", context.sizes.webSockets)
    .figure("opened / refused (429 or reset), first flood", `${firstHeld} / ${context.sizes.webSockets - firstHeld}`)
    .figure("in", `${seconds.toFixed(1)} s`)
    .figure("server RSS / heap after a full GC: before → holding 100 → after the flood → after a second flood", `${mb(before.rss)} / ${mb(before.heap)} → ${mb(whileHeld.rss)} / ${mb(whileHeld.heap)} → ${mb(afterFirst.rss)} / ${mb(afterFirst.heap)} → ${mb(afterSecond.rss)} / ${mb(afterSecond.heap)}`)
    .figure("another address served", otherServed ? "yes" : "no")
    .figure("log lines", logLines)
    .figure(`process cap ${context.sizes.globalCap}: opened / refused 503 of ${attempts} from 50 addresses`, `${cappedHeld.length} / ${cappedStatuses.get(503) ?? 0}`)
    .check(firstHeld === 100, `one address opened ${firstHeld} WebSockets (the default cap is 100)`)
    .check(tooMany === attemptsOfOne - 200, `refusals other than 429 or a reset: ${JSON.stringify(Object.fromEntries(statuses))}`)
    .check(afterSecond.heap - afterFirst.heap <= 5, `a second flood left ${mb(afterSecond.heap - afterFirst.heap)} more live heap behind`)
    .check(whileHeld.heap - before.heap <= 10, `holding 100 connections after the flood took ${mb(whileHeld.heap - before.heap)} of heap`)
    .check(otherServed, "another address was refused while the first held its share")
    .check(health === 200, `/healthz answered ${health}`)
    .check(logLines <= 5, `${logLines} log lines`)
    .check(cappedHeld.length === context.sizes.globalCap, `${cappedHeld.length} opened under a process cap of ${context.sizes.globalCap}`)
    .check((cappedStatuses.get(503) ?? 0) === attempts - context.sizes.globalCap, `refusals past the process cap: ${JSON.stringify(Object.fromEntries(cappedStatuses))}`)
    .done();
}
