/**
 * One process of idle subscribers for bench/capacity.ts: opens CAPACITY_COUNT WebSockets to
 * CAPACITY_URL from the loopback address CAPACITY_ADDRESS, subscribes each to CAPACITY_EVENT,
 * answers pings (ws does), and measures each delivery's latency from the send time the trigger
 * wrote into the payload (`value`: ms since the epoch; same machine, same clock).
 * Talks to its parent over IPC: `{ kind: "ready" }` once every connection is subscribed, then on
 * `{ kind: "report" }` sends (and resets) what it measured.
 */
import { WebSocket } from "ws";
import { EVENTS_PATH, SUBPROTOCOL } from "../lib/events/protocol/frames";

const url = `${process.env.CAPACITY_URL!}${EVENTS_PATH}`;
const count = Number(process.env.CAPACITY_COUNT);
const localAddress = process.env.CAPACITY_ADDRESS ?? "127.0.0.1";
const event = process.env.CAPACITY_EVENT ?? "model:created";

const sockets: WebSocket[] = [];
let subscribed = 0;
let closed = 0;
let latencies: number[] = [];

function open(index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [SUBPROTOCOL], { perMessageDeflate: false, localAddress });
    sockets[index] = ws;
    ws.on("error", reject);
    ws.on("close", () => closed++);
    ws.on("message", (data) => {
      const text = data.toString();
      if (text.startsWith('{"type":"welcome"')) return ws.send(JSON.stringify({ type: "subscribe", ref: 1, event }));
      if (text.startsWith('{"type":"ok"')) {
        subscribed++;
        return resolve();
      }
      if (text.startsWith('{"type":"event"')) {
        const sentAt = Number((JSON.parse(text) as { data: { value: string } }).data.value);
        latencies.push(Date.now() - sentAt);
      }
    });
  });
}

async function main(): Promise<void> {
  // A few hundred handshakes at a time: the server accepts them as fast as it can, no faster.
  const batch = 200;
  for (let start = 0; start < count; start += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, count - start) }, (_, k) => open(start + k)));
  }
  process.send!({ kind: "ready", subscribed });
  process.on("message", (message: { kind: string }) => {
    if (message.kind === "report") {
      process.send!({ kind: "report", subscribed, closed, latencies });
      latencies = [];
    }
    if (message.kind === "close") {
      for (const ws of sockets) ws.terminate();
      process.exit(0);
    }
  });
}

main().catch((error: unknown) => {
  process.send!({ kind: "error", message: error instanceof Error ? error.message : String(error), subscribed });
  process.exit(1);
});
