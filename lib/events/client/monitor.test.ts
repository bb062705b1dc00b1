import { describe, expect, it, vi } from "vitest";
import { waitFor } from "@/test/support/wait-for";
import { UnauthorizedError } from "../shared/errors";
import type { TraceFrame } from "../protocol/frames";
import type { Gap } from "./event-manager";
import { clientHarness } from "@/test/support/client-harness";

const harness = clientHarness();

function trace(name: string): TraceFrame {
  return {
    type: "trace",
    instance: "test-instance",
    kind: "trigger",
    name,
    id: "x-1",
    internal: true,
    source: "server",
    at: 1,
    handlers: 1,
    delivered: 0,
    durationMs: 0,
    error: null,
    code: null,
    data: null,
  };
}

describe("monitor", () => {
  it("makes the connection a monitor session and passes trace frames on", async () => {
    const server = await harness.start();
    const events = harness.manager();
    const traces: TraceFrame[] = [];
    await events.monitor("good-token", (frame) => traces.push(frame));
    expect(server.ops("monitor")).toEqual([{ type: "monitor", ref: expect.anything(), token: "good-token", traces: "batched" }]);
    server.open[0]!.send(trace("audit:login"));
    await waitFor(() => traces.length === 1, "the trace");
    expect(traces[0]).toMatchObject({ name: "audit:login", internal: true });
  });

  it("passes each trace of a batched traces frame on, in order, as a trace frame", async () => {
    const server = await harness.start();
    const events = harness.manager();
    const traces: TraceFrame[] = [];
    await events.monitor("good-token", (frame) => traces.push(frame));
    const strip = ({ type: _type, ...record }: TraceFrame) => record;
    server.open[0]!.send({ type: "traces", traces: [strip(trace("a")), strip(trace("b")), strip(trace("c"))] });
    await waitFor(() => traces.length === 3, "the three traces");
    expect(traces.map((frame) => [frame.type, frame.name])).toEqual([
      ["trace", "a"],
      ["trace", "b"],
      ["trace", "c"],
    ]);
  });

  it("rejects with UnauthorizedError for a bad token", async () => {
    await harness.start();
    const events = harness.manager();
    await expect(events.monitor("forged", () => {})).rejects.toThrow(UnauthorizedError);
  });

  it("re-sends monitor after a reconnect, asking the token function for a fresh token", async () => {
    const server = await harness.start({ monitorToken: (token) => token.startsWith("token-") });
    const events = harness.manager();
    let issued = 0;
    const token = vi.fn(async () => `token-${++issued}`);
    const traces: string[] = [];
    await events.monitor(token, (frame) => traces.push(frame.name));
    server.dropAll();
    await waitFor(() => server.connections[1]?.ops.some((op) => op.type === "monitor"), "monitor on the new socket");
    expect(server.connections[1]!.ops[0]).toMatchObject({ type: "monitor", token: "token-2" });
    expect(token).toHaveBeenCalledTimes(2);
    await waitFor(() => server.connections[1]!.monitor, "authorized again");
    server.connections[1]!.send(trace("after-reconnect"));
    await waitFor(() => traces.length === 1, "the trace after reconnecting");
  });

  it("ops queued during a reconnect wait until the monitor session is authorized again", async () => {
    const server = await harness.start();
    const events = harness.manager({ backoff: () => 30 });
    await events.monitor(() => new Promise<string>((resolve) => setTimeout(() => resolve("good-token"), 20)), () => {});
    server.dropAll();
    await waitFor(() => events.state === "reconnecting", "reconnecting");
    await events.describe();
    expect(server.connections[1]!.ops.map((op) => op.type)).toEqual(["monitor", "describe"]);
  });

  it("sends gap frames for \"*\" to onGap listeners", async () => {
    const server = await harness.start();
    const events = harness.manager();
    const gaps: Gap[] = [];
    events.onGap((gap) => gaps.push(gap));
    await events.monitor("good-token", () => {});
    server.open[0]!.send({ type: "gap", event: "*", missed: 12, reason: "overflow" });
    await waitFor(() => gaps.length === 1, "the gap");
    expect(gaps).toEqual([{ event: "*", missed: 12, reason: "overflow" }]);
  });

  it("the function monitor resolves with stops the traces", async () => {
    const server = await harness.start();
    const events = harness.manager();
    const stopped = vi.fn();
    const kept: string[] = [];
    const stop = await events.monitor("good-token", stopped);
    await events.monitor("good-token", (frame) => kept.push(frame.name));
    stop();
    server.open[0]!.send(trace("one"));
    await waitFor(() => kept.length === 1, "the trace");
    expect(stopped).not.toHaveBeenCalled();
  });
});
