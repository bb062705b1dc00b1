import { afterEach, describe, expect, it } from "vitest";
import type { TraceFrame } from "@/lib/events/protocol";
import { createMonitorToken } from "@/lib/events/server";
import { startTransport, TEST_SECRET, type Harness } from "@/test/support/transport-harness";

let harness: Harness;
afterEach(() => harness?.close());

async function withMonitor() {
  harness = await startTransport();
  harness.bus.createSignal("note:added", { internal: false });
  harness.bus.query("note:count", (_) => 3);
  const monitor = await harness.connect();
  await monitor.op({ type: "monitor", token: createMonitorToken(TEST_SECRET) });
  return monitor;
}

describe("replayOf", () => {
  it("marks a monitor's trigger and request as replays in their traces", async () => {
    const monitor = await withMonitor();
    const first = await monitor.op({ type: "trigger", event: "note:added", data: { text: "hi" } });
    await monitor.op({ type: "trigger", event: "note:added", data: { text: "hi" }, replayOf: first.id });
    await monitor.op({ type: "request", query: "note:count", replayOf: "test-instance-r1" });
    const traces = () => monitor.ofType("trace") as TraceFrame[];
    await monitor.next((frame) => frame.type === "trace" && frame.kind === "request");
    expect(traces().map((trace) => [trace.name, trace.replayOf])).toEqual([
      ["note:added", undefined],
      ["note:added", first.id],
      ["note:count", "test-instance-r1"],
    ]);
    expect(traces()[0]).not.toHaveProperty("replayOf");
  });

  it("is refused from a browser that is not a monitor, and nothing is triggered", async () => {
    const monitor = await withMonitor();
    const browser = await harness.connect();
    expect(await browser.op({ type: "trigger", event: "note:added", data: {}, replayOf: "x-1" })).toMatchObject({
      type: "error",
      code: "forbidden",
      message: "\"replayOf\" is for monitor sessions only (the dashboard's Replay)",
    });
    expect(await browser.op({ type: "request", query: "note:count", replayOf: "x-1" })).toMatchObject({ code: "forbidden" });
    await monitor.op({ type: "ping" });
    expect(monitor.ofType("trace")).toEqual([]);
  });

  it("must be a trace id: a non-empty string of at most 100 characters", async () => {
    const monitor = await withMonitor();
    for (const replayOf of ["", 7, "x".repeat(101)]) {
      expect(await monitor.op({ type: "trigger", event: "note:added", data: {}, replayOf })).toMatchObject({
        code: "bad_request",
        message: "\"replayOf\" must be the id of the trace replayed (1 to 100 characters)",
      });
    }
  });
});
