import { afterEach, describe, expect, it } from "vitest";
import type { TraceFrame } from "@/lib/events/protocol";
import { createMonitorToken } from "@/lib/events/server";
import { startTransport, TEST_SECRET, type Harness } from "@/test/support/transport-harness";

let harness: Harness;
afterEach(() => harness?.close());

/** A function name that appears in the server-side stack of the failure, and nowhere else. */
function serverInternalsMarker(): never {
  throw new Error("the order could not be saved");
}

describe("the server-side stack of a failing handler", () => {
  it("reaches monitor sessions in the trace's spans, and never a browser (trigger, request, or their replies)", async () => {
    harness = await startTransport();
    harness.bus.createSignal("order:placed", { internal: false });
    harness.bus.event("order:placed", function saveOrder(_) {
      serverInternalsMarker();
    });
    harness.bus.createQuery("order:status", { internal: false });
    harness.bus.query("order:status", function readStatus(_) {
      serverInternalsMarker();
    });
    const monitor = await harness.connect();
    expect(await monitor.op({ type: "monitor", token: createMonitorToken(TEST_SECRET) })).toMatchObject({ type: "ok" });
    const browser = await harness.connect();
    await browser.op({ type: "subscribe", event: "order:placed" });

    expect(await browser.op({ type: "trigger", event: "order:placed", data: { id: 1 } })).toMatchObject({ type: "ok", failed: 1 });
    expect(await browser.op({ type: "request", query: "order:status", data: { id: 1 } })).toMatchObject({ type: "error", code: "handler_error" });

    const trigger = (await monitor.next((frame) => frame.type === "trace" && frame.name === "order:placed")) as TraceFrame;
    const request = (await monitor.next((frame) => frame.type === "trace" && frame.name === "order:status")) as TraceFrame;
    for (const trace of [trigger, request]) {
      expect(trace.spans).toHaveLength(1);
      expect(trace.spans![0]).toMatchObject({ outcome: "error", code: "handler_error", message: "the order could not be saved" });
      expect(trace.spans![0]!.stack).toMatch(/at serverInternalsMarker/);
    }

    const everythingTheBrowserGot = JSON.stringify(browser.frames);
    expect(browser.frames.length).toBeGreaterThanOrEqual(4); // welcome, subscribe's ok, the event, the trigger's ok, the request's error
    expect(everythingTheBrowserGot).not.toMatch(/serverInternalsMarker|\bat saveOrder|\bstack\b|"spans"/);
    expect(browser.ofType("trace")).toEqual([]);
  });
});
