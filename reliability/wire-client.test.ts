import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { EVENTS_PATH, SUBPROTOCOL } from "../lib/events/protocol";
import { WireClient } from "./wire-client";

/** What the fake server sends after the first subscribe's `ok` (whose `last` is `e-<from>`). */
type Scripted = number | { gap: number };

let server: WebSocketServer | undefined;
let client: WireClient | undefined;
afterEach(async () => {
  client?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/**
 * A server on port 0 that answers the first subscribe of "e" with `last: e-<from>` and then sends
 * `script` (seqs as events, gaps as overflow gaps), and answers the closing re-subscribe with
 * `last: e-<until>`. The client's ledger of "e" once settled.
 */
async function ledgerAfter(script: Scripted[], { from = 0, until, reorderable }: { from?: number; until: number; reorderable: boolean }) {
  server = new WebSocketServer({ port: 0, path: EVENTS_PATH, handleProtocols: () => SUBPROTOCOL });
  await new Promise((resolve) => server!.once("listening", resolve));
  server.on("connection", (socket: WebSocket) => {
    socket.send(JSON.stringify({ type: "welcome", protocol: 1 }));
    let subscribes = 0;
    socket.on("message", (data: Buffer) => {
      const op = JSON.parse(data.toString()) as { type: string; ref: number };
      if (op.type !== "subscribe") return;
      if (++subscribes > 1) return void socket.send(JSON.stringify({ type: "ok", ref: op.ref, last: `e-${until}` }));
      socket.send(JSON.stringify({ type: "ok", ref: op.ref, last: `e-${from}` }));
      for (const step of script) {
        socket.send(typeof step === "number" ? `{"type":"event","event":"e","id":"e-${step}","data":${step}}` : JSON.stringify({ type: "gap", event: "e", missed: step.gap, reason: "overflow" }));
      }
    });
  });
  const { port } = server.address() as { port: number };
  client = new WireClient(`ws://127.0.0.1:${port}`, { reorderable });
  await client.opened;
  await client.subscribe("e");
  // Everything scripted has arrived once the last scripted seq (or the closing `last`) is in.
  await client.settle(1_000);
  return client.ledgers.get("e")!;
}

describe("WireClient's ledger", () => {
  describe("on one instance (events in id order)", () => {
    it("counts a seq that comes after a later one as a hole and a duplicate", async () => {
      const ledger = await ledgerAfter([1, 2, 4, 3, 5], { until: 5, reorderable: false });
      expect(ledger).toMatchObject({ received: 4, holes: 1, duplicates: 1, unannounced: 1, reordered: 0 });
    });

    it("spends a gap's credit on the hole right after the event that follows it, or calls it over-announced", async () => {
      const ledger = await ledgerAfter([1, { gap: 1 }, 2, 4, 5], { until: 5, reorderable: false });
      expect(ledger).toMatchObject({ holes: 1, unannounced: 1, overAnnounced: 1 });
    });
  });

  describe("on a cluster (reorderable)", () => {
    it("lets a seq that comes after a later one fill the hole it left", async () => {
      const ledger = await ledgerAfter([1, 2, 4, 3, 5], { until: 5, reorderable: true });
      expect(ledger).toMatchObject({ received: 5, holes: 0, duplicates: 0, unannounced: 0, reordered: 1 });
    });

    it("waits for a straggler below the closing last", async () => {
      const ledger = await ledgerAfter([1, 3, 2], { until: 3, reorderable: true });
      expect(ledger).toMatchObject({ received: 3, holes: 0, reordered: 1 });
    });

    it("lets a gap pay for a hole that a later seq opened before the gap arrived", async () => {
      // 3 was dropped from the queue after 4 had been written: its hole is there before the gap.
      const ledger = await ledgerAfter([1, 2, 4, { gap: 1 }, 5], { until: 5, reorderable: true });
      expect(ledger).toMatchObject({ received: 4, holes: 1, unannounced: 0, overAnnounced: 0 });
    });

    it("keeps a gap's credit for a hole a few ids after the event that followed it", async () => {
      // Queued out of id order: 2 survived the drop-oldest that took 3, and came first.
      const ledger = await ledgerAfter([1, { gap: 1 }, 2, 4, 5], { until: 5, reorderable: true });
      expect(ledger).toMatchObject({ received: 4, holes: 1, unannounced: 0, overAnnounced: 0 });
    });

    it("does not keep it for a hole far after the gap", async () => {
      const script: Scripted[] = [1, { gap: 1 }, ...Array.from({ length: 1_100 }, (_, index) => index + 2), 1_103];
      const ledger = await ledgerAfter(script, { until: 1_103, reorderable: true });
      expect(ledger).toMatchObject({ holes: 1, unannounced: 1, overAnnounced: 1 });
    });

    it("still reports a hole no gap paid for", async () => {
      const ledger = await ledgerAfter([1, 2, 4, 5], { until: 5, reorderable: true });
      expect(ledger).toMatchObject({ received: 4, holes: 1, unannounced: 1 });
    });

    it("counts an event from before the subscribe's last apart, not as a duplicate", async () => {
      const ledger = await ledgerAfter([3, 2, 4], { from: 2, until: 4, reorderable: true });
      expect(ledger).toMatchObject({ received: 2, holes: 0, duplicates: 0, beforeStart: 1 });
    });
  });
});
