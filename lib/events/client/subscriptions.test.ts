import { describe, expect, it, vi } from "vitest";
import { waitFor } from "@/test/support/wait-for";
import { ForbiddenError, NotFoundError, TimeoutError } from "../shared/errors";
import type { Gap } from "./event-manager";
import { clientHarness } from "@/test/support/client-harness";

const harness = clientHarness();

describe("subscribe", () => {
  it("subscribe rejects with NotFoundError from the server's error frame", async () => {
    await harness.start({ events: ["model:created"] });
    const events = harness.manager();
    const attempt = events.subscribe("model:creatd");
    await expect(attempt).rejects.toThrow(NotFoundError);
    await expect(attempt).rejects.toThrow('Unknown event "model:creatd"');
  });

  it("rejects with the class the server's code names", async () => {
    const server = await harness.start();
    server.onOp = (op, connection) => {
      if (op.type !== "subscribe") return false;
      connection.send({ type: "error", ref: op.ref, code: "forbidden", message: 'Not allowed to subscribe to "secret"' });
      return true;
    };
    const events = harness.manager();
    await expect(events.subscribe("secret")).rejects.toThrow(ForbiddenError);
  });

  it("after a refusal the name is not held: a later subscribe asks the server again", async () => {
    const server = await harness.start({ events: [] });
    const events = harness.manager();
    await expect(events.subscribe("nope")).rejects.toThrow(NotFoundError);
    await expect(events.subscribe("nope")).rejects.toThrow(NotFoundError);
    expect(server.ops("subscribe")).toHaveLength(2);
  });

  it("waits for the connection when called while connecting", async () => {
    const server = await harness.start();
    const events = harness.manager();
    expect(events.state).toBe("connecting");
    await expect(events.subscribe("tick")).resolves.toEqual({});
    expect(server.ops("subscribe")).toEqual([{ type: "subscribe", ref: expect.anything(), event: "tick" }]);
  });

  it("times out when the server never answers, and leaves the name unheld", async () => {
    const server = await harness.start();
    server.onOp = (op) => op.type === "subscribe";
    const events = harness.manager({ requestTimeout: 50 });
    const attempt = events.subscribe("tick");
    await expect(attempt).rejects.toThrow(TimeoutError);
    await expect(attempt).rejects.toThrow('Subscribe "tick" timed out after 50 ms: the server did not answer');
    // The answer that finally comes is followed by an unsubscribe: nobody holds the name.
    server.open[0]!.send({ type: "ok", ref: server.ops("subscribe")[0]!.ref, last: "ep-0" });
    await waitFor(() => server.ops("unsubscribe").length === 1, "the unsubscribe");
  });

  it("resolves a subscribe still waiting when the same manager unsubscribes", async () => {
    const server = await harness.start();
    server.welcoming = false;
    const events = harness.manager();
    const attempt = events.subscribe("tick");
    await events.unsubscribe("tick");
    await expect(attempt).resolves.toEqual({});
  });
});

describe("events", () => {
  it("calls every handler with the data and { id, event }", async () => {
    const server = await harness.start();
    const events = harness.manager();
    const calls: unknown[] = [];
    events.registerHandler("model:created", (data, meta) => calls.push([data, meta]));
    await events.subscribe("model:created");
    const frame = server.push("model:created", { id: 1, value: "first" });
    await waitFor(() => calls.length === 1, "the event");
    expect(calls).toEqual([[{ id: 1, value: "first" }, { id: frame.id, event: "model:created" }]]);
  });

  it("handler that throws does not stop others, nor the socket", async () => {
    const server = await harness.start();
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const events = harness.manager();
    const seen: unknown[] = [];
    events.registerHandler("tick", () => {
      throw new Error("handler bug");
    });
    events.registerHandler("tick", async () => {
      throw new Error("async handler bug");
    });
    events.registerHandler("tick", (data) => seen.push(data));
    await events.subscribe("tick");
    server.push("tick", 1);
    server.push("tick", 2);
    await waitFor(() => seen.length === 2, "both events");
    expect(seen).toEqual([1, 2]);
    expect(events.state).toBe("connected");
    expect(error).toHaveBeenCalledWith(expect.stringContaining('A handler of "tick" threw'), expect.objectContaining({ message: "handler bug" }));
    await waitFor(() => error.mock.calls.some((call) => (call[1] as Error | undefined)?.message === "async handler bug"), "the async failure reported");
    error.mockRestore();
  });

  it("the function registerHandler returns removes the handler", async () => {
    const server = await harness.start();
    const events = harness.manager();
    const seen: unknown[] = [];
    const off = events.registerHandler("tick", (data) => seen.push(["removed", data]));
    events.registerHandler("tick", (data) => seen.push(["kept", data]));
    off();
    await events.subscribe("tick");
    server.push("tick", 1);
    await waitFor(() => seen.length === 1, "the event");
    expect(seen).toEqual([["kept", 1]]);
  });

  it("removeHandler removes that handler only", async () => {
    const server = await harness.start();
    const events = harness.manager();
    const seen: string[] = [];
    const first = () => void seen.push("first");
    events.registerHandler("tick", first);
    events.registerHandler("tick", () => void seen.push("second"));
    events.removeHandler("tick", first);
    await events.subscribe("tick");
    server.push("tick", 1);
    await waitFor(() => seen.length === 1, "the event");
    expect(seen).toEqual(["second"]);
  });

  it("drops events for names with no handlers", async () => {
    const server = await harness.start();
    const events = harness.manager();
    const seen: unknown[] = [];
    events.registerHandler("other", (data) => seen.push(data));
    await events.subscribe("tick");
    await events.subscribe("other");
    server.push("tick", 1);
    server.push("other", 2);
    await waitFor(() => seen.length === 1, "the other event");
    expect(seen).toEqual([2]);
  });

  it("delivers nothing after unsubscribe", async () => {
    const server = await harness.start();
    const events = harness.manager();
    const seen: unknown[] = [];
    events.registerHandler("tick", (data) => seen.push(data));
    events.registerHandler("tock", (data) => seen.push(data));
    await events.subscribe("tick");
    await events.subscribe("tock");
    await events.unsubscribe("tick");
    // An event the server sent before it read the unsubscribe still arrives; the manager ignores it.
    server.open[0]!.send({ type: "event", event: "tick", id: server.nextId(), data: "late" });
    server.push("tock", "after");
    await waitFor(() => seen.length === 1, "the tock event");
    expect(seen).toEqual(["after"]);
  });
});

describe("recovery after a reconnect", () => {
  it("resubscribes with since after a reconnect and drops duplicates", async () => {
    const server = await harness.start();
    const events = harness.manager();
    const seen: unknown[] = [];
    events.registerHandler("tick", (data) => seen.push(data));
    await events.subscribe("tick");
    const first = server.push("tick", 1);
    await waitFor(() => seen.length === 1, "the first event");
    server.dropAll();
    await waitFor(() => server.ops("subscribe").length === 2, "the resubscribe");
    expect(server.ops("subscribe")[1]).toMatchObject({ event: "tick", since: first.id });
    // The server replays the first event again (an answer that crossed the disconnect), then goes on.
    server.open[0]!.send(first);
    server.push("tick", 2);
    await waitFor(() => seen.length === 2, "the second event");
    expect(seen).toEqual([1, 2]);
  });

  it("gets what it missed while away, in order, from the server's history", async () => {
    const server = await harness.start();
    const events = harness.manager({ backoff: () => 30 });
    const seen: unknown[] = [];
    events.registerHandler("tick", (data) => seen.push(data));
    await events.subscribe("tick");
    server.push("tick", 1);
    await waitFor(() => seen.length === 1, "the first event");
    server.dropAll();
    await waitFor(() => events.state === "reconnecting", "reconnecting");
    server.push("tick", 2); // nobody is subscribed now: these only reach history
    server.push("tick", 3);
    await waitFor(() => seen.length === 3, "the missed events");
    expect(seen).toEqual([1, 2, 3]);
  });

  it("uses the `last` id of the subscribe answer as since when no event was seen yet", async () => {
    const server = await harness.start();
    const before = server.push("tick", 0);
    const events = harness.manager({ backoff: () => 30 });
    const seen: unknown[] = [];
    events.registerHandler("tick", (data) => seen.push(data));
    await events.subscribe("tick");
    server.dropAll();
    await waitFor(() => events.state === "reconnecting", "reconnecting");
    server.push("tick", 1);
    await waitFor(() => server.ops("subscribe").length === 2, "the resubscribe");
    expect(server.ops("subscribe")[1]).toMatchObject({ since: before.id });
    await waitFor(() => seen.length === 1, "the missed event");
    expect(seen).toEqual([1]);
  });

  it("resolves subscribe with recovered when the server says so", async () => {
    const server = await harness.start();
    server.onOp = (op, connection) => {
      if (op.type !== "subscribe") return false;
      connection.send({ type: "ok", ref: op.ref, recovered: false, last: "ep-0" });
      return true;
    };
    const events = harness.manager();
    await expect(events.subscribe("tick")).resolves.toEqual({ recovered: false });
  });

  it("surfaces gap frames to the subscription's onGap and the manager's onGap listeners", async () => {
    const server = await harness.start();
    const events = harness.manager();
    const fromSubscription: Gap[] = [];
    const fromManager: Gap[] = [];
    events.onGap((gap) => fromManager.push(gap));
    await events.subscribe("tick", { onGap: (gap) => fromSubscription.push(gap) });
    await events.subscribe("tock");
    server.sendToSubscribers({ type: "gap", event: "tick", missed: 3, reason: "overflow" });
    server.sendToSubscribers({ type: "gap", event: "tock", missed: null, reason: "history" });
    await waitFor(() => fromManager.length === 2, "both gaps");
    expect(fromSubscription).toEqual([{ event: "tick", missed: 3, reason: "overflow" }]);
    expect(fromManager).toEqual([
      { event: "tick", missed: 3, reason: "overflow" },
      { event: "tock", missed: null, reason: "history" },
    ]);
  });

  it("reports a history gap when the events missed were already evicted", async () => {
    const server = await harness.start();
    const events = harness.manager({ backoff: () => 30 });
    const gaps: Gap[] = [];
    const seen: unknown[] = [];
    events.onGap((gap) => gaps.push(gap));
    events.registerHandler("tick", (data) => seen.push(data));
    await events.subscribe("tick");
    server.push("tick", 1);
    await waitFor(() => seen.length === 1, "the first event");
    server.dropAll();
    await waitFor(() => events.state === "reconnecting", "reconnecting");
    server.forgetHistory("tick");
    await waitFor(() => gaps.length === 1, "the gap");
    expect(gaps).toEqual([{ event: "tick", missed: null, reason: "history" }]);
  });

  it("removes a subscription's onGap with unsubscribe", async () => {
    const server = await harness.start();
    const events = harness.manager();
    const onGap = vi.fn();
    await events.subscribe("tick", { onGap });
    await events.subscribe("tock");
    await events.unsubscribe("tick");
    server.open[0]!.send({ type: "gap", event: "tick", missed: 1, reason: "overflow" });
    const listener = vi.fn();
    events.onGap(listener);
    server.sendToSubscribers({ type: "gap", event: "tock", missed: 1, reason: "overflow" });
    await waitFor(() => listener.mock.calls.length === 1, "the tock gap");
    expect(onGap).not.toHaveBeenCalled();
  });

  it("says so on the console when a resubscribe is refused, since no caller is waiting", async () => {
    const server = await harness.start();
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const events = harness.manager();
    await events.subscribe("tick");
    server.onOp = (op, connection) => {
      if (op.type !== "subscribe") return false;
      connection.send({ type: "error", ref: op.ref, code: "not_found", message: 'Unknown event "tick"' });
      return true;
    };
    server.dropAll();
    await waitFor(() => error.mock.calls.length > 0, "the report");
    expect(error).toHaveBeenCalledWith(expect.stringContaining('Resubscribing to "tick" failed'), expect.any(NotFoundError));
    error.mockRestore();
  });
});
