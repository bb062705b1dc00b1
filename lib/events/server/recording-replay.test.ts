import { afterEach, describe, expect, it } from "vitest";
import { createMonitorToken } from "@/lib/events/server";
import { startTransport, TEST_SECRET, type Harness } from "@/test/support/transport-harness";

let harness: Harness;
afterEach(() => harness?.close());

/** A harness with one internal event whose handler counts, and a monitor session on it. */
async function setup(recordingReplay: boolean) {
  harness = await startTransport({}, {}, undefined, { recordingReplay });
  const received: unknown[] = [];
  harness.bus.event("cache:warmed", (data: unknown) => void received.push(data));
  const monitor = await harness.connect();
  await monitor.op({ type: "monitor", token: createMonitorToken(TEST_SECRET) });
  return { received, monitor };
}

describe("replaying a recording (trigger with fromRecording)", () => {
  it("fires the recorded trigger again on a development server, internal names included", async () => {
    const { received, monitor } = await setup(true);
    expect(await monitor.op({ type: "trigger", event: "cache:warmed", data: { keys: 3 }, fromRecording: true })).toMatchObject({ type: "ok", handlers: 1 });
    expect(received).toEqual([{ keys: 3 }]);
  });

  it("is refused by a production server, naming why, and nothing runs", async () => {
    const { received, monitor } = await setup(false);
    const reply = await monitor.op({ type: "trigger", event: "cache:warmed", data: { keys: 3 }, fromRecording: true });
    expect(reply).toMatchObject({ type: "error", code: "forbidden", message: expect.stringContaining("for development servers") });
    expect(received).toEqual([]);
    // An ordinary trigger from the dashboard still works there.
    expect(await monitor.op({ type: "trigger", event: "cache:warmed", data: { keys: 4 } })).toMatchObject({ type: "ok" });
  });

  it("is for monitor sessions only, also in development", async () => {
    const { received } = await setup(true);
    harness.bus.createSignal("feed", { internal: false });
    const browser = await harness.connect();
    const reply = await browser.op({ type: "trigger", event: "feed", data: 1, fromRecording: true });
    expect(reply).toMatchObject({ type: "error", code: "forbidden", message: expect.stringContaining('"fromRecording" is for monitor sessions only') });
    expect(received).toEqual([]);
  });

  it("answers a fromRecording that is not true or false with bad_request", async () => {
    const { monitor } = await setup(true);
    expect(await monitor.op({ type: "trigger", event: "cache:warmed", data: null, fromRecording: "yes" })).toMatchObject({
      type: "error",
      code: "bad_request",
      message: expect.stringContaining('"fromRecording" must be true or false'),
    });
  });
});
