/**
 * Finding 4: five connections triggering demo:ping to 1,000 subscribers pushed a well-behaved
 * client's ping to 5.5 s median, and any page could trigger model:created with a fake model.
 * Replayed: 1,000 subscribers, five attacking connections sending as fast as their sockets take
 * it; a well-behaved client's ping is measured before and during the flood.
 */
import WebSocket from "ws";
import { http, openSocket, percentile, sleep, Verdict, type AttackContext, type Finding } from "./kit";

interface PingStats {
  p50: number;
  p99: number;
  count: number;
}

export async function publicTriggerFlood(context: AttackContext): Promise<Finding> {
  const verdict = new Verdict(4, "Public triggers cannot be flooded or forged by pages");
  const server = await context.server();
  const sockets: WebSocket[] = [];
  try {
    // Subscribers: 100 per address (the default cap), as many addresses as it takes.
    for (let index = 0; index < context.sizes.subscribers; index++) {
      const socket = await openSocket(server.url, `127.0.40.${1 + Math.floor(index / 100)}`);
      if (!(socket instanceof WebSocket)) throw new Error(`subscriber ${index} was refused with ${socket}`);
      sockets.push(socket);
      socket.send(JSON.stringify({ type: "subscribe", ref: 1, event: "demo:ping" }));
    }
    const measurer = await openSocket(server.url, "127.0.42.1");
    if (!(measurer instanceof WebSocket)) throw new Error(`the well-behaved client was refused with ${measurer}`);
    sockets.push(measurer);
    const baseline = await pings(measurer, 2_000);

    const replies = new Map<string, number>();
    let closes = 0;
    let connections = 0;
    let running = true;
    const attacker = async () => {
      while (running) {
        const socket = await openSocket(server.url, "127.0.41.1");
        if (!(socket instanceof WebSocket)) {
          replies.set(`refused ${socket}`, (replies.get(`refused ${socket}`) ?? 0) + 1);
          await sleep(100);
          continue;
        }
        connections++;
        sockets.push(socket);
        socket.on("message", (data) => {
          const frame = JSON.parse(data.toString()) as { type: string; code?: string };
          const key = frame.type === "error" ? frame.code! : frame.type;
          replies.set(key, (replies.get(key) ?? 0) + 1);
        });
        const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
        const frame = JSON.stringify({ type: "trigger", ref: 1, event: "demo:ping", data: { message: "flood" } });
        while (running && socket.readyState === WebSocket.OPEN) {
          // As fast as the socket takes it: a browser cannot cork, but it can keep its buffer full.
          if (socket.bufferedAmount < 256 * 1024) for (let i = 0; i < 100; i++) socket.send(frame);
          await sleep(1);
        }
        if (socket.readyState !== WebSocket.OPEN) closes++;
        socket.terminate();
        await closed;
      }
    };
    const attackers = Array.from({ length: 5 }, attacker);
    await sleep(200);
    const during = await pings(measurer, context.sizes.floodSeconds * 1_000);
    running = false;
    await Promise.all(attackers);

    // Forging model:created from a page.
    const forger = await openSocket(server.url, "127.0.43.1");
    if (!(forger instanceof WebSocket)) throw new Error(`the forger was refused with ${forger}`);
    sockets.push(forger);
    const forged = await op(forger, { type: "trigger", ref: "forge", event: "model:created", data: { id: 987_654, value: "forged by a page" } });
    const { models } = JSON.parse((await http(server.url, { path: "/api/models" })).body) as { models: { value: string }[] };
    const listed = models.some((model) => model.value === "forged by a page");
    const logged = server.lines.some((line) => line.includes("forged by a page"));
    const accepted = replies.get("ok") ?? 0;
    const limit = Math.max(5 * baseline.p50, 25);
    return verdict
      .figure("subscribers of demo:ping", context.sizes.subscribers)
      .figure("well-behaved ping before: p50 / p99", `${baseline.p50.toFixed(1)} / ${baseline.p99.toFixed(1)} ms`)
      .figure(`during the flood (${context.sizes.floodSeconds} s, 5 connections): p50 / p99`, `${during.p50.toFixed(1)} / ${during.p99.toFixed(1)} ms`)
      .figure("attacking triggers answered", Object.entries(Object.fromEntries(replies)).map(([key, count]) => `${key} ${count}`).join(", "))
      .figure("attacker connections opened / closed by the server", `${connections} / ${closes}`)
      .figure("forged model:created", `${forged.code ?? forged.type}; listed: ${listed ? "yes" : "no"}; logged: ${logged ? "yes" : "no"}`)
      .check(accepted === 0, `${accepted} attacking triggers were accepted`)
      .check(during.p50 <= limit, `the well-behaved ping's p50 rose to ${during.p50.toFixed(1)} ms (limit ${limit.toFixed(1)} ms)`)
      .check(during.count > 0, "the well-behaved client got no answer during the flood")
      .check(forged.code === "forbidden" && !listed && !logged, "a page forged model:created")
      .done();
  } finally {
    for (const socket of sockets) socket.terminate();
  }
}

/** Sends a `ping` op every 20 ms for `ms` and times each answer. */
async function pings(socket: WebSocket, ms: number): Promise<PingStats> {
  const times: number[] = [];
  const end = performance.now() + ms;
  let ref = 0;
  while (performance.now() < end) {
    const started = performance.now();
    const answer = await Promise.race([op(socket, { type: "ping", ref: `p${++ref}` }), sleep(5_000).then(() => undefined)]);
    if (answer) times.push(performance.now() - started);
    await sleep(20);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), count: times.length };
}

function op(socket: WebSocket, frame: { type: string; ref: string; [field: string]: unknown }): Promise<{ type: string; code?: string }> {
  return new Promise((resolve) => {
    const listener = (data: WebSocket.RawData) => {
      const reply = JSON.parse(data.toString()) as { type: string; ref?: unknown; code?: string };
      if (reply.ref !== frame.ref) return;
      socket.off("message", listener);
      resolve(reply);
    };
    socket.on("message", listener);
    socket.send(JSON.stringify(frame));
  });
}
