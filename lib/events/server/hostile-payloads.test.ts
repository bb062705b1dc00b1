import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { startTransport, type Harness } from "@/test/support/transport-harness";
import { waitFor } from "@/test/support/wait-for";

let harness: Harness;
afterEach(() => harness?.close());

async function setup() {
  harness = await startTransport({ maxPayload: 65_536, rateLimit: 100_000 });
  harness.bus.createSignal("chat:message", { internal: false });
  harness.bus.query("echo", (data) => data, { internal: false });
  return harness.connect();
}

describe("hostile payloads", () => {
  it("answers a payload nested 30,000 levels deep with invalid_payload, and keeps serving", async () => {
    const client = await setup();
    const deep = "[".repeat(30_000) + "]".repeat(30_000);
    client.send(`{"type":"trigger","ref":"deep","event":"chat:message","data":${deep}}`);
    const reply = await client.next((frame) => frame.type === "error" && frame.ref === "deep");
    expect(reply).toMatchObject({ code: "invalid_payload", message: expect.stringMatching(/nests deeper than 256 levels/) });
    expect(await client.op({ type: "ping" })).toMatchObject({ type: "ok" });
  });

  it("answers a request whose data is nested too deep without running the handler past the check", async () => {
    const client = await setup();
    const deep = "[".repeat(20_000) + "]".repeat(20_000);
    client.send(`{"type":"request","ref":"deep","query":"echo","data":${deep}}`);
    const reply = await client.next((frame) => (frame.type === "error" || frame.type === "ok") && frame.ref === "deep");
    // The handler echoes it back: the reply cannot travel as JSON, and says so.
    expect(reply).toMatchObject({ type: "error", code: "handler_error", message: expect.stringMatching(/cannot travel as JSON: .*nests deeper than 256 levels/) });
  });

  it("survives 300 random frames of bytes, text and almost-JSON, answering each and staying up", async () => {
    const client = await setup();
    const almostJson = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 4 }),
      fc.record({
        type: fc.constantFrom("subscribe", "unsubscribe", "trigger", "request", "describe", "ping", "monitor", "nope"),
        ref: fc.oneof(fc.string({ maxLength: 80 }), fc.integer(), fc.constant(null)),
        event: fc.oneof(fc.string({ maxLength: 220 }), fc.constant("chat:message"), fc.integer()),
        query: fc.oneof(fc.string({ maxLength: 20 }), fc.constant("echo")),
        data: fc.jsonValue({ maxDepth: 3 }),
        since: fc.oneof(fc.string({ maxLength: 140 }), fc.integer()),
        timeout: fc.oneof(fc.integer({ min: -5, max: 700_000 }), fc.double()),
        token: fc.string({ maxLength: 50 }),
      }, { requiredKeys: [] }).map((frame) => JSON.stringify(frame)),
    );
    const frames = fc.sample(fc.oneof(almostJson, fc.uint8Array({ maxLength: 200 })), { numRuns: 300, seed: 42 });
    let current = client;
    const closes: number[] = [];
    for (const frame of frames) {
      const before = current.frames.length;
      current.ws.send(frame);
      // Each frame gets its reply; a connection that keeps sending garbage is closed with 4000.
      await waitFor(() => current.frames.length > before || current.closeCode !== undefined, "a reply or a close");
      if (current.closeCode !== undefined) {
        closes.push(current.closeCode);
        current = await harness.connect();
      }
    }
    expect(closes.every((code) => code === 4000)).toBe(true);
    expect(await current.op({ type: "ping" })).toMatchObject({ type: "ok" });
    const fresh = await harness.connect();
    expect(await fresh.op({ type: "ping" })).toMatchObject({ type: "ok" });
  });
});
