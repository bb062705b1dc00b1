import { afterEach, describe, expect, it } from "vitest";
import { startTransport, type Harness, type RawClient } from "@/test/support/transport-harness";
import { waitFor } from "@/test/support/wait-for";

const HEARTBEAT_MS = 100;

let harness: Harness;
afterEach(() => harness?.close());

/** Counts the server's pings as the client sees them. */
function countPings(client: RawClient): () => number {
  let pings = 0;
  client.ws.on("ping", () => pings++);
  return () => pings;
}

describe("the heartbeat", () => {
  it("announces its interval in the welcome frame", async () => {
    harness = await startTransport({ heartbeatMs: HEARTBEAT_MS });
    const client = await harness.connect();
    expect(client.frames[0]).toMatchObject({ type: "welcome", heartbeat: HEARTBEAT_MS });
  });

  it("terminates a client that does not answer pings after it missed two pongs", async () => {
    harness = await startTransport({ heartbeatMs: HEARTBEAT_MS });
    const silent = await harness.connect({ autoPong: false });
    const pings = countPings(silent);
    const connectedAt = Date.now();
    // Terminated, not closed: no close frame, so the client sees 1006.
    expect(await silent.closed(3_000)).toBe(1006);
    const lifetime = Date.now() - connectedAt;
    expect(pings()).toBeGreaterThanOrEqual(2);
    // Two unanswered pings take at least two intervals; the third beat terminates.
    expect(lifetime).toBeGreaterThanOrEqual(2 * HEARTBEAT_MS - 20);
    expect(lifetime).toBeLessThan(10 * HEARTBEAT_MS);
    await waitFor(() => harness.transport.stats().connections === 0, "the connection to be forgotten");
  });

  it("keeps a client that answers pings connected over several heartbeats", async () => {
    harness = await startTransport({ heartbeatMs: HEARTBEAT_MS });
    const client = await harness.connect();
    const pings = countPings(client);
    await waitFor(() => pings() >= 6 || client.closeCode !== undefined, "six heartbeats", 5_000);
    expect(client.closeCode).toBeUndefined();
    expect(await client.op({ type: "ping" })).toMatchObject({ type: "ok" });
  });

  it("counts any client frame as liveness: a client that never pongs but keeps sending stays connected", async () => {
    harness = await startTransport({ heartbeatMs: HEARTBEAT_MS });
    const chatty = await harness.connect({ autoPong: false });
    const silent = await harness.connect({ autoPong: false });
    const pings = countPings(chatty);
    const sending = setInterval(() => chatty.send({ type: "ping", ref: "alive" }), HEARTBEAT_MS / 2);
    try {
      // The silent control is terminated while the chatty one lives through the same beats.
      expect(await silent.closed(3_000)).toBe(1006);
      await waitFor(() => pings() >= 6 || chatty.closeCode !== undefined, "six heartbeats", 5_000);
      expect(chatty.closeCode).toBeUndefined();
    } finally {
      clearInterval(sending);
    }
    expect(await chatty.op({ type: "describe" })).toMatchObject({ type: "ok" });
  });

  it("counts even an unreadable frame as liveness (the peer is there)", async () => {
    harness = await startTransport({ heartbeatMs: HEARTBEAT_MS });
    const garbling = await harness.connect({ autoPong: false });
    const silent = await harness.connect({ autoPong: false });
    const pings = countPings(garbling);
    // At most nine bad frames: the tenth-plus would be protocol abuse (close 4000), another rule.
    let sent = 0;
    const sending = setInterval(() => {
      if (sent < 9) {
        garbling.send("?");
        sent++;
      }
    }, HEARTBEAT_MS * 0.8);
    try {
      // The silent control is terminated while the garbling one lives through more beats.
      expect(await silent.closed(3_000)).toBe(1006);
      await waitFor(() => pings() >= 5 || garbling.closeCode !== undefined, "five heartbeats", 5_000);
      expect(garbling.closeCode).toBeUndefined();
    } finally {
      clearInterval(sending);
    }
    expect(garbling.ofType("error").every((error) => error.code === "bad_request")).toBe(true);
  });

  it("does not disturb other clients when it terminates one", async () => {
    harness = await startTransport({ heartbeatMs: HEARTBEAT_MS });
    harness.bus.createSignal("model:created", { internal: false });
    const healthy = await harness.connect();
    await healthy.op({ type: "subscribe", event: "model:created" });
    const silent = await harness.connect({ autoPong: false });
    await silent.closed(3_000);
    const report = await harness.bus.trigger("model:created", 1);
    expect(report.delivered).toBe(1);
    expect(await healthy.next((frame) => frame.type === "event")).toMatchObject({ id: report.id });
  });
});
