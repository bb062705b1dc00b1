import { describe, expect, it } from "vitest";
import { waitFor } from "@/test/support/wait-for";
import { DisconnectedError, HandlerError, InvalidPayloadError, NotFoundError, TimeoutError } from "../shared/errors";
import type { RequestOp } from "../protocol/frames";
import { clientHarness } from "@/test/support/client-harness";

const harness = clientHarness();

describe("trigger", () => {
  it("resolves with the fields of the server's ok", async () => {
    const server = await harness.start();
    const events = harness.manager();
    const result = await events.trigger("model:created", { id: 1 });
    expect(result).toEqual({ id: expect.any(String), name: "model:created", handlers: 0, failed: 0, delivered: 0 });
    expect(server.ops("trigger")).toEqual([{ type: "trigger", ref: expect.anything(), event: "model:created", data: { id: 1 } }]);
  });

  it("rejects with InvalidPayloadError when the data cannot be sent as JSON, sending nothing", async () => {
    const server = await harness.start();
    const events = harness.manager();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(events.trigger("x", cyclic)).rejects.toThrow(InvalidPayloadError);
    await expect(events.trigger("x", 10n)).rejects.toThrow(/Trigger "x" failed: its data cannot be sent as JSON/);
    await events.describe(); // an op that is answered: everything before it has been read
    expect(server.ops("trigger")).toHaveLength(0);
  });
});

describe("request", () => {
  it("resolves with the server's data and sends the timeout", async () => {
    const server = await harness.start({ queries: { "model:count": () => 42 } });
    const events = harness.manager({ requestTimeout: 3_000 });
    await expect(events.request("model:count")).resolves.toBe(42);
    await expect(events.request("model:count", undefined, { timeout: 1_500 })).resolves.toBe(42);
    expect(server.ops("request").map((op) => op.timeout)).toEqual([3_000, 1_500]);
  });

  it("rejects with the class named by the server's error code", async () => {
    await harness.start({
      queries: {
        broken: () => {
          throw new Error("database is down");
        },
      },
    });
    const events = harness.manager();
    await expect(events.request("nope")).rejects.toThrow(NotFoundError);
    await expect(events.request("broken")).rejects.toThrow(HandlerError);
    await expect(events.request("broken")).rejects.toThrow("database is down");
  });

  it("request times out locally when the server never answers", async () => {
    const server = await harness.start();
    server.onOp = (op) => op.type === "request";
    const events = harness.manager();
    const started = Date.now();
    const attempt = events.request("model:count", undefined, { timeout: 30 });
    await expect(attempt).rejects.toThrow(TimeoutError);
    await expect(attempt).rejects.toThrow(/Request "model:count" timed out after \d+ ms: the server did not answer/);
    // The local timer gives the server's own timeout a head start of CLIENT_LIMITS.requestGraceMs.
    expect(Date.now() - started).toBeGreaterThanOrEqual(30);
  });

  it("abort rejects with TimeoutError", async () => {
    const server = await harness.start();
    server.onOp = (op) => op.type === "request";
    const events = harness.manager();
    const controller = new AbortController();
    const attempt = events.request("slow", undefined, { signal: controller.signal });
    await waitFor(() => server.ops("request").length === 1, "the request sent");
    controller.abort(new Error("user left the page"));
    await expect(attempt).rejects.toThrow(TimeoutError);
    await expect(attempt).rejects.toThrow('Request "slow" was aborted');
  });

  it("an already-aborted signal rejects at once, sending nothing", async () => {
    const server = await harness.start();
    const events = harness.manager();
    await expect(events.request("slow", undefined, { signal: AbortSignal.abort() })).rejects.toThrow(TimeoutError);
    await events.describe();
    expect(server.ops("request")).toHaveLength(0);
  });

  it("refuses a non-positive timeout", async () => {
    await harness.start();
    const events = harness.manager();
    await expect(events.request("q", undefined, { timeout: -1 })).rejects.toThrow('Request "q": option "timeout" is -1: expected a positive number of ms');
  });

  it("ignores an answer that comes after the request timed out", async () => {
    const server = await harness.start({ queries: { q: () => 1 } });
    let late: RequestOp | undefined;
    server.onOp = (op) => {
      if (op.type !== "request" || late) return false;
      late = op;
      return true;
    };
    const events = harness.manager();
    await expect(events.request("q", undefined, { timeout: 10 })).rejects.toThrow(TimeoutError);
    server.open[0]!.send({ type: "ok", ref: late!.ref, data: "too late" });
    await expect(events.request("q")).resolves.toBe(1);
  });
});

describe("when the socket drops", () => {
  it("rejects pending requests with disconnected when the socket drops", async () => {
    const server = await harness.start();
    server.onOp = (op) => op.type === "request" || op.type === "trigger" || op.type === "describe";
    const events = harness.manager();
    const request = events.request("model:count");
    const trigger = events.trigger("model:created", { id: 1 });
    const describeAll = events.describe();
    await waitFor(() => server.ops().length === 3, "three ops sent");
    server.dropAll();
    await expect(request).rejects.toThrow(DisconnectedError);
    await expect(request).rejects.toThrow('Request "model:count" failed: the connection dropped before the server answered');
    await expect(trigger).rejects.toThrow('Trigger "model:created" failed: the connection dropped before the server answered');
    await expect(describeAll).rejects.toThrow("Describe failed: the connection dropped before the server answered");
  });

  it("ops issued while reconnecting wait for the connection and are sent once it is back", async () => {
    const server = await harness.start({ queries: { "model:count": () => 7 } });
    const events = harness.manager({ backoff: () => 40 });
    await waitFor(() => events.state === "connected", "connected");
    server.dropAll();
    await waitFor(() => events.state === "reconnecting", "reconnecting");
    const answer = events.request("model:count");
    await expect(answer).resolves.toBe(7);
    expect(server.connections[1]!.ops.map((op) => op.type)).toEqual(["request"]);
  });

  it("ops that wait for a connection are bounded by their timeout", async () => {
    const server = await harness.start();
    server.welcoming = false;
    const events = harness.manager({ requestTimeout: 40 });
    await expect(events.trigger("x")).rejects.toThrow('Trigger "x" timed out after 40 ms: there was no connection to the server');
    await expect(events.describe()).rejects.toThrow(TimeoutError);
  });

  it("refs come from one counter: an answer for an op of the old socket never settles a new one", async () => {
    const server = await harness.start({ queries: { q: () => "fresh" } });
    server.onOp = (op) => op.type === "request" && op.query === "old";
    const events = harness.manager();
    const old = events.request("old");
    const oldOp = await waitFor(() => server.ops("request")[0], "the old request");
    server.dropAll();
    await expect(old).rejects.toThrow(DisconnectedError);
    await waitFor(() => events.state === "connected" && server.open.length === 1, "reconnected");
    const fresh = events.request("q");
    server.open[0]!.send({ type: "ok", ref: oldOp.ref, data: "stale" });
    await expect(fresh).resolves.toBe("fresh");
    const refs = server.ops("request").map((op) => op.ref);
    expect(new Set(refs).size).toBe(refs.length);
  });
});

describe("describe", () => {
  it("resolves with the events and queries the server lists", async () => {
    await harness.start({ events: ["model:created"], queries: { "model:count": () => 1 } });
    const events = harness.manager();
    const described = await events.describe();
    expect(described.events.map((entry) => entry.name)).toEqual(["model:created"]);
    expect(described.queries.map((entry) => entry.name)).toEqual(["model:count"]);
  });
});
