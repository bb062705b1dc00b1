import { afterEach, describe, expect, it } from "vitest";
import { startTransport, type Harness } from "@/test/support/transport-harness";

let harness: Harness;
afterEach(() => harness?.close());

describe("smoke", () => {
  it("welcomes, subscribes, delivers", async () => {
    harness = await startTransport();
    harness.bus.createSignal("model:created", { internal: false });
    const client = await harness.connect();
    expect(client.frames[0]).toMatchObject({ type: "welcome", protocol: 1, heartbeat: 30000, queueSize: 5, instance: "test-instance" });
    expect(await client.op({ type: "subscribe", event: "model:created" })).toMatchObject({ type: "ok", last: expect.stringMatching(/-0$/) });
    const report = await harness.bus.trigger("model:created", { id: 1 });
    expect(report.delivered).toBe(1);
    expect(await client.next((f) => f.type === "event")).toEqual({ type: "event", event: "model:created", id: report.id, data: { id: 1 } });
  });
});
