import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SEND_HIGH_WATER_MARK } from "@/lib/events/server";
import type { TransportOverflow } from "@/lib/events/config";
import { SUBPROTOCOL } from "@/lib/events/protocol";
import { startTransport, type Harness } from "@/test/support/transport-harness";
import { waitFor } from "@/test/support/wait-for";

let harness: Harness;
afterEach(() => harness?.close());

const EVENTS = 20_000;
const PAYLOAD = { text: "x".repeat(1000) }; // ~1 KB per event

/** A client that only counts what it gets: events per id order, gaps and their missed totals. */
class CountingClient {
  events = 0;
  lastSeq = 0;
  outOfOrder = 0;
  gaps: { missed: number | null; reason: string }[] = [];
  closeCode: number | undefined;
  constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; id?: string; missed?: number | null; reason?: string };
      if (frame.type === "event") {
        this.events++;
        const seq = Number(frame.id!.split("-")[1]);
        if (seq <= this.lastSeq) this.outOfOrder++;
        this.lastSeq = seq;
      } else if (frame.type === "gap") {
        this.gaps.push({ missed: frame.missed ?? null, reason: frame.reason ?? "" });
      }
    });
    ws.on("close", (code) => (this.closeCode = code));
    ws.on("error", () => {});
  }
  get missed(): number {
    return this.gaps.reduce((sum, gap) => sum + (gap.missed ?? 0), 0);
  }
  /** Stops reading from the socket: the kernel buffers fill, then the server's. */
  stall(): void {
    (this.ws as unknown as { _socket: Socket })._socket.pause();
  }
  resume(): void {
    (this.ws as unknown as { _socket: Socket })._socket.resume();
  }
}

async function subscribedClient(): Promise<CountingClient> {
  const ws = new WebSocket(harness.url, [SUBPROTOCOL], { perMessageDeflate: false });
  const client = new CountingClient(ws);
  await new Promise((resolve) => ws.once("open", resolve));
  const subscribed = new Promise<void>((resolve) => ws.on("message", (data) => data.toString().includes('"type":"ok"') && resolve()));
  ws.send(JSON.stringify({ type: "subscribe", ref: 1, event: "feed" }));
  await subscribed;
  return client;
}

/** Triggers `count` events, yielding to I/O now and then as a busy server would; tracks the transport's held bytes. */
async function flood(count: number, until?: () => boolean): Promise<{ maxHeldBytes: number; maxQueued: number; sent: number }> {
  // maxQueued: the longest any one connection's queue grew.
  let maxHeldBytes = 0;
  let maxQueued = 0;
  let sent = 0;
  for (let i = 0; i < count; i++) {
    await harness.bus.trigger("feed", PAYLOAD);
    sent++;
    // Yield every 25 events (25 KB, well under the 64 KB high-water mark): the normal client reads
    // in this same process, so a longer burst would make it look slow on a loaded machine.
    if (i % 25 === 0) await new Promise((resolve) => setImmediate(resolve));
    if (i % 200 === 0) {
      // Per connection: the normal client may lag a little too on a busy machine, but no queue
      // may ever hold more than EVENTS_EVENT_QUEUE_SIZE.
      for (const connection of harness.transport.connections()) maxQueued = Math.max(maxQueued, connection.queued);
      maxHeldBytes = Math.max(maxHeldBytes, heldBytes());
      if (until?.()) break;
    }
  }
  return { maxHeldBytes, maxQueued, sent };
}

function heldBytes(): number {
  return harness.transport.connections().reduce((sum, connection) => sum + connection.buffered, 0);
}

async function setup(overflow: TransportOverflow) {
  harness = await startTransport({ overflow, queueSize: 5 }, { historySize: 100 });
  harness.bus.createSignal("feed", { internal: false });
  const slow = await Promise.all(Array.from({ length: 10 }, () => subscribedClient()));
  const normal = await subscribedClient();
  for (const client of slow) client.stall();
  return { slow, normal };
}

describe("slow consumers", () => {
  it("under drop-oldest: bounded memory, the normal client gets everything, the slow ones get gaps that account for every drop", async () => {
    const { slow, normal } = await setup("drop-oldest");
    const { maxHeldBytes, maxQueued } = await flood(EVENTS);

    // The bound: per connection, the high-water mark plus one turn's batch, plus the queue of 5.
    const perConnection = 2 * SEND_HIGH_WATER_MARK + 5 * 1100;
    expect(maxHeldBytes).toBeLessThan(slow.length * perConnection + SEND_HIGH_WATER_MARK);
    expect(maxQueued).toBeLessThanOrEqual(5);

    await waitFor(() => normal.events + normal.missed === EVENTS, "the normal client to account for every event", 15_000);
    expect(normal.gaps).toEqual([]);
    expect(normal.outOfOrder).toBe(0);

    for (const client of slow) client.resume();
    for (const client of slow) {
      await waitFor(() => client.events + client.missed === EVENTS, "every event to be delivered or counted in a gap", 15_000);
      expect(client.gaps.length).toBeGreaterThan(0);
      expect(client.gaps.every((gap) => gap.reason === "overflow")).toBe(true);
      expect(client.outOfOrder).toBe(0);
    }
    // What the metrics count is what the clients were told.
    const missedTotal = slow.reduce((sum, client) => sum + client.missed, 0);
    expect(harness.transport.counters.drops["drop-oldest"]).toBe(missedTotal);
    expect(harness.transport.counters.gaps.overflow).toBe(slow.reduce((sum, client) => sum + client.gaps.length, 0));
  });

  it("under drop-newest: the slow ones keep the oldest and are told how many newer ones they lost", async () => {
    const { slow, normal } = await setup("drop-newest");
    await flood(EVENTS);
    await waitFor(() => normal.events === EVENTS, "the normal client to receive every event", 15_000);
    for (const client of slow) client.resume();
    for (const client of slow) {
      await waitFor(() => client.events + client.missed === EVENTS, "every event to be delivered or counted in a gap", 15_000);
      expect(client.missed).toBeGreaterThan(0);
    }
  });

  it("under disconnect: the slow ones are closed with 4008 and the normal client keeps receiving", async () => {
    const { slow, normal } = await setup("disconnect");
    const { sent } = await flood(EVENTS, () => harness.transport.stats().slowConsumerDisconnects === slow.length);
    expect(harness.transport.stats().slowConsumerDisconnects).toBe(slow.length);
    for (const client of slow) client.resume();
    for (const client of slow) expect(await waitFor(() => client.closeCode, "the slow client to be closed")).toBe(4008);
    await waitFor(() => normal.events === sent, "the normal client to receive every event", 15_000);
    expect(normal.closeCode).toBeUndefined();
  });
});
