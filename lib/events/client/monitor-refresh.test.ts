import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { CloseCode } from "../protocol/close-codes";
import { createMonitorToken } from "../server/monitor-token";
import { startTransport, TEST_SECRET, type Harness } from "@/test/support/transport-harness";
import { waitFor } from "@/test/support/wait-for";
import { EventManager } from "./event-manager";
import type { ConnectionState, StateDetail } from "./state";

let harness: Harness;
let manager: EventManager | undefined;
afterEach(async () => {
  manager?.close();
  await harness?.close();
});

function watch(events: EventManager): Array<{ state: ConnectionState } & StateDetail> {
  const seen: Array<{ state: ConnectionState } & StateDetail> = [];
  events.onStateChange((state, detail) => seen.push({ state, ...detail }));
  return seen;
}

describe("a monitor session against the real transport", () => {
  it("sends a fresh token before the current one expires, and stays a monitor on the same socket", async () => {
    harness = await startTransport();
    harness.bus.createSignal("audit:login", { internal: true });
    manager = new EventManager({ url: harness.url, WebSocket, backoff: () => 5 });
    const states = watch(manager);
    const token = vi.fn(async () => createMonitorToken(TEST_SECRET, { ttlMs: 1_500 }));
    const traces: string[] = [];
    await manager.monitor(token, (trace) => traces.push(trace.name));
    await waitFor(() => token.mock.calls.length >= 2, "a refresh before the first token expires", 5_000);
    await new Promise((resolve) => setTimeout(resolve, 700)); // past the first token's expiry
    expect(states.filter((change) => change.state !== "connected")).toEqual([]);
    await harness.bus.trigger("audit:login", { user: "ada" });
    await waitFor(() => traces.includes("audit:login"), "a trace after the first token's expiry");
    expect(harness.transport.stats()).toMatchObject({ connections: 1, monitors: 1 });
  });

  it("is closed with 4401 when its token cannot be refreshed, and carries on as a plain connection", async () => {
    harness = await startTransport();
    harness.bus.createSignal("audit:login", { internal: true });
    manager = new EventManager({ url: harness.url, WebSocket, backoff: () => 5 });
    const states = watch(manager);
    await manager.monitor(createMonitorToken(TEST_SECRET, { ttlMs: 1_200 }), () => {});
    await waitFor(() => states.find((change) => change.closeCode === CloseCode.MonitorSessionEnded), "the close at expiry", 5_000);
    await waitFor(() => manager!.state === "connected" && harness.transport.stats().connections === 1, "the reconnect");
    expect(harness.transport.stats().monitors).toBe(0);
    await expect(manager.trigger("audit:login" as never, {} as never)).rejects.toMatchObject({ code: "not_found" });
  });
});
