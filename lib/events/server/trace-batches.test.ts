import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createMonitorToken } from "@/lib/events/server";
import { TRACE_BATCH_MAX } from "@/lib/events/server/monitors";
import { startTransport, TEST_SECRET, type Harness, type RawClient } from "@/test/support/transport-harness";
import { waitFor } from "@/test/support/wait-for";

let harness: Harness;
afterEach(() => harness?.close());

async function monitor(batched: boolean): Promise<RawClient> {
  const client = await harness.connect();
  await client.op({ type: "monitor", token: createMonitorToken(TEST_SECRET), ...(batched ? { traces: "batched" } : {}) });
  return client;
}

/** Every trace name a monitor got, whether one to a frame or many. */
function tracedNames(client: RawClient): string[] {
  return client.frames.flatMap((frame) => (frame.type === "trace" ? [frame.name] : frame.type === "traces" ? frame.traces.map((trace) => trace.name) : []));
}

describe("trace records for monitors", () => {
  it("come many to a traces frame for a monitor that asked, in order; one trace frame each for one that did not", async () => {
    harness = await startTransport();
    harness.bus.createSignal("feed", { internal: true });
    const batched = await monitor(true);
    const single = await monitor(false);
    const count = TRACE_BATCH_MAX * 2 + 200;
    // One turn: the batch fills twice and the rest waits for the flush.
    for (let i = 0; i < count; i++) void harness.bus.trigger("feed", i);
    await waitFor(() => tracedNames(batched).length === count && tracedNames(single).length === count, "every trace to reach both monitors");

    const batches = batched.ofType("traces");
    expect(batched.ofType("trace")).toEqual([]);
    expect(batches.length).toBeLessThanOrEqual(3);
    expect(batches.every((frame) => frame.traces.length <= TRACE_BATCH_MAX)).toBe(true);
    expect(batches.flatMap((frame) => frame.traces.map((trace) => trace.data))).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(single.ofType("trace")).toHaveLength(count);
    expect(single.ofType("traces")).toEqual([]);
  });

  it("send a lone trace without waiting for company", async () => {
    harness = await startTransport();
    harness.bus.createSignal("feed", { internal: true });
    const batched = await monitor(true);
    await harness.bus.trigger("feed", "alone");
    const frame = await batched.next((frame) => frame.type === "traces");
    expect(frame).toMatchObject({ type: "traces", traces: [{ name: "feed", data: "alone", instance: "test-instance" }] });
  });

  it("dropped for a monitor that cannot keep up are counted one by one in its gap, not per frame", async () => {
    harness = await startTransport({ queueSize: 2 });
    harness.bus.createSignal("feed", { internal: true });
    const batched = await monitor(true);
    const socket = (batched.ws as unknown as { _socket: Socket })._socket;
    socket.pause();
    const payload = "x".repeat(2_000);
    const total = 20_000;
    for (let i = 0; i < total; i++) {
      void harness.bus.trigger("feed", payload);
      if (i % 250 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    socket.resume();
    const missed = () => batched.ofType("gap").reduce((sum, gap) => sum + (gap.missed ?? 0), 0);
    await waitFor(() => tracedNames(batched).length + missed() === total, "every trace delivered or counted in a gap", 20_000);
    expect(missed()).toBeGreaterThan(TRACE_BATCH_MAX);
    expect(batched.ofType("gap").every((gap) => gap.event === "*" && gap.reason === "overflow")).toBe(true);
  });

  it("refuses a traces option other than batched", async () => {
    harness = await startTransport();
    const client = await harness.connect();
    expect(await client.op({ type: "monitor", token: createMonitorToken(TEST_SECRET), traces: "all" })).toMatchObject({
      type: "error",
      code: "bad_request",
      message: expect.stringContaining('"traces" must be "batched"'),
    });
  });
});
