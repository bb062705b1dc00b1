import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { waitFor } from "@/test/support/wait-for";
import { createLiveness } from "./liveness";
import { clientHarness } from "@/test/support/client-harness";

describe("Liveness (fake timers)", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  function watch(heartbeat: number, maxPongWait = 10_000) {
    const probe = vi.fn();
    const dead = vi.fn();
    const liveness = createLiveness(probe, dead, maxPongWait);
    liveness.start(heartbeat);
    return { liveness, probe, dead };
  }

  it("probes after a heartbeat of silence", () => {
    const { probe } = watch(1_000);
    vi.advanceTimersByTime(999);
    expect(probe).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(probe).toHaveBeenCalledOnce();
  });

  it("any frame heard postpones the probe by a full heartbeat", () => {
    const { liveness, probe } = watch(1_000);
    vi.advanceTimersByTime(800);
    liveness.heard();
    vi.advanceTimersByTime(999);
    expect(probe).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(probe).toHaveBeenCalledOnce();
  });

  it("gives up when nothing answers the probe within another heartbeat", () => {
    const { probe, dead } = watch(1_000);
    vi.advanceTimersByTime(1_000);
    expect(probe).toHaveBeenCalledOnce();
    vi.advanceTimersByTime(999);
    expect(dead).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(dead).toHaveBeenCalledOnce();
  });

  it("caps the wait for an answer", () => {
    const { dead } = watch(60_000, 5_000);
    vi.advanceTimersByTime(60_000 + 5_000);
    expect(dead).toHaveBeenCalledOnce();
  });

  it("an answer to the probe keeps the connection, and probing starts over", () => {
    const { liveness, probe, dead } = watch(1_000);
    vi.advanceTimersByTime(1_000);
    vi.advanceTimersByTime(300);
    liveness.heard(); // the answer, 300 ms after the probe
    vi.advanceTimersByTime(1_500); // the next probe goes a heartbeat after the answer, at 2_300
    expect(dead).not.toHaveBeenCalled();
    expect(probe).toHaveBeenCalledTimes(2);
  });

  it("stop() ends watching; a heartbeat of 0 never starts it", () => {
    const { liveness, probe, dead } = watch(1_000);
    liveness.stop();
    vi.advanceTimersByTime(10_000);
    const off = watch(0);
    vi.advanceTimersByTime(10_000);
    expect([probe, dead, off.probe, off.dead].every((fn) => fn.mock.calls.length === 0)).toBe(true);
  });
});

describe("heartbeat over a real socket", () => {
  const harness = clientHarness();

  it("ping after silence and reconnect when unanswered", async () => {
    const server = await harness.start({ heartbeat: 40 });
    server.onOp = (op, connection) => op.type === "ping" && connection.id === "c1"; // the first server goes mute
    const events = harness.manager();
    const states = harness.states(events);
    await waitFor(() => server.connections[0]?.ops.some((op) => op.type === "ping"), "a ping");
    await waitFor(() => states.some((change) => change.reason === "heartbeat-timeout"), "the heartbeat timeout");
    expect(states.find((change) => change.state === "reconnecting")).toMatchObject({ reason: "heartbeat-timeout", attempt: 0 });
    await waitFor(() => events.state === "connected" && server.connections.length === 2, "reconnected");
    await waitFor(() => server.connections[0]!.closed, "the mute socket closed");
  });

  it("answered pings keep the socket", async () => {
    const server = await harness.start({ heartbeat: 25 });
    const events = harness.manager();
    const states = harness.states(events);
    await waitFor(() => server.ops("ping").length >= 3, "three pings");
    expect(server.connections).toHaveLength(1);
    expect(states.filter((change) => change.state !== "connected")).toEqual([]);
  });
});
