import { describe, expect, it } from "vitest";
import { waitFor } from "@/test/support/wait-for";
import { ClosedError } from "../shared/errors";
import { connectionRegistry, REGISTRY_KEY } from "./registry";
import { clientHarness } from "@/test/support/client-harness";

const harness = clientHarness();

describe("one socket per page", () => {
  it("one socket for two managers", async () => {
    const server = await harness.start();
    const a = harness.manager();
    const b = harness.manager();
    await waitFor(() => a.state === "connected" && b.state === "connected", "both connected");
    expect(server.connections).toHaveLength(1);
    expect(connectionRegistry().size).toBe(1);
  });

  it("keeps the registry on globalThis under Symbol.for, where another copy of the client finds it", async () => {
    const server = await harness.start();
    harness.manager();
    const registry = (globalThis as Record<symbol, unknown>)[Symbol.for("webfluid.events.client")];
    expect(REGISTRY_KEY).toBe(Symbol.for("webfluid.events.client"));
    expect(registry).toBeInstanceOf(Map);
    expect([...(registry as Map<string, unknown>).keys()]).toEqual([server.url]);
  });

  it("a second manager's subscribe sends no new op once the first has succeeded", async () => {
    const server = await harness.start();
    const a = harness.manager();
    const b = harness.manager();
    await a.subscribe("model:created");
    await expect(b.subscribe("model:created")).resolves.toEqual({});
    expect(server.ops("subscribe")).toHaveLength(1);
  });

  it("a second manager's subscribe awaits the pending one instead of sending another", async () => {
    const server = await harness.start();
    server.onOp = (op) => op.type === "subscribe"; // unanswered: the test answers by hand
    const a = harness.manager();
    const b = harness.manager();
    const first = a.subscribe("model:created");
    const second = b.subscribe("model:created");
    const op = await waitFor(() => server.ops("subscribe")[0], "the subscribe op");
    server.open[0]!.send({ type: "ok", ref: op.ref, last: "ep-0" });
    await expect(first).resolves.toEqual({});
    await expect(second).resolves.toEqual({});
    expect(server.ops("subscribe")).toHaveLength(1);
  });

  it("both managers receive the events, each through its own handlers", async () => {
    const server = await harness.start();
    const a = harness.manager();
    const b = harness.manager();
    const seenA: unknown[] = [];
    const seenB: unknown[] = [];
    a.registerHandler("tick", (data) => seenA.push(data));
    b.registerHandler("tick", (data) => seenB.push(data));
    await a.subscribe("tick");
    await b.subscribe("tick");
    server.push("tick", 1);
    await waitFor(() => seenA.length === 1 && seenB.length === 1, "both delivered");
    expect([seenA, seenB]).toEqual([[1], [1]]);
  });

  it("delivers only to the managers that subscribed, even when others have handlers", async () => {
    const server = await harness.start();
    const subscriber = harness.manager();
    const bystander = harness.manager();
    const seen: string[] = [];
    subscriber.registerHandler("tick", () => seen.push("subscriber"));
    bystander.registerHandler("tick", () => seen.push("bystander"));
    await subscriber.subscribe("tick");
    server.push("tick", 1);
    await waitFor(() => seen.length > 0, "a delivery");
    expect(seen).toEqual(["subscriber"]);
  });

  it("the last leaver sends unsubscribe; earlier leavers do not", async () => {
    const server = await harness.start();
    const a = harness.manager();
    const b = harness.manager();
    await a.subscribe("tick");
    await b.subscribe("tick");
    await a.unsubscribe("tick");
    expect(server.ops("unsubscribe")).toHaveLength(0);
    await b.unsubscribe("tick");
    await waitFor(() => server.ops("unsubscribe").length === 1, "the unsubscribe op");
    expect(server.ops("unsubscribe")[0]).toMatchObject({ event: "tick" });
  });

  it("a name held again while its unsubscribe is in flight is subscribed again after it", async () => {
    const server = await harness.start();
    const events = harness.manager();
    const seen: unknown[] = [];
    events.registerHandler("tick", (data) => seen.push(data));
    await events.subscribe("tick");
    void events.unsubscribe("tick");
    await events.subscribe("tick");
    await waitFor(() => server.ops("subscribe").length === 2, "the second subscribe");
    expect(server.ops().map((op) => op.type)).toEqual(["subscribe", "unsubscribe", "subscribe"]);
    server.push("tick", "still here");
    await waitFor(() => seen.length === 1, "delivery after resubscribing");
  });

  it("closing one manager keeps the socket for the others and releases only its names", async () => {
    const server = await harness.start();
    const a = harness.manager();
    const b = harness.manager();
    await a.subscribe("only-a");
    await a.subscribe("shared");
    await b.subscribe("shared");
    a.close();
    await waitFor(() => server.ops("unsubscribe").length === 1, "one unsubscribe");
    expect(server.ops("unsubscribe")[0]).toMatchObject({ event: "only-a" });
    expect(server.open).toHaveLength(1);
    expect(a.state).toBe("closed");
    expect(b.state).toBe("connected");
  });

  it("last manager closing closes the socket with 1000 and removes the registry entry", async () => {
    const server = await harness.start();
    const a = harness.manager();
    const b = harness.manager();
    await waitFor(() => a.state === "connected", "connected");
    a.close();
    expect(connectionRegistry().size).toBe(1);
    b.close();
    expect(connectionRegistry().size).toBe(0);
    await waitFor(() => server.connections[0]!.closed, "the server saw the close");
    expect(server.connections[0]!.closeCode).toBe(1000);
  });

  it("tells its own state listeners it closed, and nothing after that", async () => {
    const server = await harness.start();
    const a = harness.manager();
    const b = harness.manager();
    await waitFor(() => a.state === "connected", "connected");
    const states = harness.states(a);
    a.close();
    server.dropAll();
    await waitFor(() => b.state === "reconnecting" || server.connections.length === 2, "b noticed the drop");
    expect(states).toEqual([{ state: "closed", reason: "closed-by-client" }]);
  });

  it("closing a manager rejects its pending ops with ClosedError, and only its own", async () => {
    const server = await harness.start({ queries: { slow: () => "never answered" } });
    server.onOp = (op) => op.type === "request"; // hold every request
    const a = harness.manager();
    const b = harness.manager();
    const fromA = a.request("slow");
    const fromB = b.request("slow", undefined, { timeout: 5_000 });
    await waitFor(() => server.ops("request").length === 2, "both requests sent");
    a.close();
    await expect(fromA).rejects.toThrow(ClosedError);
    await expect(fromA).rejects.toThrow('Request "slow" failed: this EventManager was closed');
    const ref = server.ops("request")[1]!.ref;
    server.open[0]!.send({ type: "ok", ref, data: "answered" });
    await expect(fromB).resolves.toBe("answered");
  });

  it("a closed manager refuses new work with ClosedError", async () => {
    await harness.start();
    const events = harness.manager();
    events.close();
    expect(events.state).toBe("closed");
    await expect(events.subscribe("x")).rejects.toThrow(ClosedError);
    await expect(events.trigger("x")).rejects.toThrow(ClosedError);
    await expect(events.describe()).rejects.toThrow(ClosedError);
    await expect(events.monitor("t", () => {})).rejects.toThrow(ClosedError);
  });

  it("closing a manager twice is harmless", async () => {
    await harness.start();
    const events = harness.manager();
    events.close();
    expect(() => events.close()).not.toThrow();
  });
});
