import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { deferred } from "@/test/support/wait-for";
import { EventBus } from "./bus";
import { InvalidPayloadError, NotFoundError, TooLargeError } from "../shared/errors";
import { silentLogger, type Logger } from "./logger";

const newBus = (logger: Logger = silentLogger) => new EventBus({ logger });

describe("trigger", () => {
  it("throws not_found for an undeclared name, suggesting a near one", async () => {
    const bus = newBus();
    bus.createSignal("model:created");
    const attempt = bus.trigger("model:creatd", {});
    await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
    await expect(bus.trigger("model:creatd", {})).rejects.toThrow('Unknown event "model:creatd" (did you mean "model:created"?)');
  });

  it("says nothing about far-away names", async () => {
    const bus = newBus();
    bus.createSignal("model:created");
    await expect(bus.trigger("billing", {})).rejects.toThrow(/^Unknown event "billing"$/);
  });

  it("runs every handler concurrently", async () => {
    const bus = newBus();
    const firstStarted = deferred();
    const order: string[] = [];
    // The first handler can only finish once the second has started: sequential running would deadlock.
    bus.event("x", async function waitsForSecond(_) {
      order.push("first started");
      await secondStarted.promise;
      order.push("first done");
    });
    const secondStarted = deferred();
    bus.event("x", async function second(_) {
      order.push("second started");
      secondStarted.resolve();
      firstStarted.resolve();
    });
    const report = await bus.trigger("x", null);
    expect(report.handlers).toBe(2);
    expect(order).toEqual(["first started", "second started", "first done"]);
  });

  it("resolves to a delivery report with the event id, handlers run and handlers failed", async () => {
    const bus = newBus();
    bus.event("x", (_) => {});
    const report = await bus.trigger("x", 1);
    expect(report).toEqual({ id: expect.stringMatching(/^[0-9a-f]+-1$/), name: "x", handlers: 1, failed: 0, delivered: 0, failures: [] });
  });

  it("gives every event of a name a strictly increasing id", async () => {
    const bus = newBus();
    bus.createSignal("x");
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await bus.trigger("x", i)).id);
    const seqs = ids.map((id) => Number(id.split("-")[1]));
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
  });

  describe("context", () => {
    it("tells a handler the event name, id, source and time", async () => {
      const bus = newBus();
      let seen: unknown;
      bus.event("x", (_) => {
        seen = bus.context();
      });
      const before = Date.now();
      const { id } = await bus.trigger("x", null);
      expect(seen).toEqual({ kind: "event", name: "x", id, source: "server", at: expect.any(Number) });
      expect((seen as { at: number }).at).toBeGreaterThanOrEqual(before);
    });

    it("survives awaits inside the handler", async () => {
      const bus = newBus();
      let seen: string | undefined;
      bus.event("x", async (_) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        seen = bus.context()?.name;
      });
      await bus.trigger("x", null);
      expect(seen).toBe("x");
    });

    it("is a fresh object for every handler", async () => {
      const bus = newBus();
      const contexts: unknown[] = [];
      bus.event("x", function a(_) { contexts.push(bus.context()); });
      bus.event("x", function b(_) { contexts.push(bus.context()); });
      await bus.trigger("x", null);
      expect(contexts[0]).toEqual(contexts[1]);
      expect(contexts[0]).not.toBe(contexts[1]);
    });

    it("is undefined outside a handler", () => {
      expect(newBus().context()).toBeUndefined();
    });

    it("names the source the trigger gives", async () => {
      const bus = newBus();
      let source: string | undefined;
      bus.event("x", (_) => { source = bus.context()?.source; });
      await bus.trigger("x", null, { source: "client:abc" });
      expect(source).toBe("client:abc");
    });
  });

  describe("a throwing handler", () => {
    it("does not stop the others, and is reported and logged once", async () => {
      const error = vi.fn();
      const bus = newBus({ ...silentLogger, error });
      const ran: string[] = [];
      bus.event("x", function broken(_) {
        throw new Error("boom");
      });
      bus.event("x", async function rejects(_) {
        throw new Error("async boom");
      });
      bus.event("x", function healthy(_) {
        ran.push("healthy");
      });
      const report = await bus.trigger("x", null);
      expect(ran).toEqual(["healthy"]);
      expect(report.handlers).toBe(3);
      expect(report.failures.map((failure) => [failure.handler, (failure.error as Error).message])).toEqual([
        ["broken", "boom"],
        ["rejects", "async boom"],
      ]);
      expect(error).toHaveBeenCalledTimes(2);
      expect(error.mock.calls[0]![0]).toMatchObject({ event: "x", id: report.id, handler: "broken" });
    });

    it("counts as an error in the registry", async () => {
      const bus = newBus();
      bus.event("x", (_) => {
        throw new Error("boom");
      });
      await bus.trigger("x", null);
      expect(bus.snapshot()[0]!.counters).toMatchObject({ count: 1, errors: 1 });
    });
  });

  describe("payloads of public events", () => {
    it.each([
      ["a function", { callback: () => 1 }, "data.callback is a function"],
      ["a BigInt", { n: 1n }, "data.n is a BigInt"],
      ["a Map", { lookup: new Map() }, "data.lookup is a Map"],
      ["NaN", [1, Number.NaN], "data[1] is NaN"],
      ["undefined in an array", [undefined], "data[0] is undefined"],
    ])("refuses %s before any handler runs", async (_label, payload, message) => {
      const bus = newBus();
      const handler = vi.fn((_: unknown) => {});
      bus.createSignal("model:created", { internal: false });
      bus.event("model:created", handler);
      const attempt = bus.trigger("model:created", payload);
      await expect(attempt).rejects.toBeInstanceOf(InvalidPayloadError);
      await expect(bus.trigger("model:created", payload)).rejects.toThrow(`Event "model:created": ${message}, which JSON cannot carry`);
      expect(handler).not.toHaveBeenCalled();
    });

    it("refuses a cycle", async () => {
      const bus = newBus();
      bus.createSignal("x", { internal: false });
      const payload: Record<string, unknown> = { a: 1 };
      payload.self = payload;
      await expect(bus.trigger("x", payload)).rejects.toThrow("data.self refers back to itself (a cycle)");
    });

    it("refuses a payload nested deeper than 256 levels", async () => {
      const bus = newBus();
      bus.createSignal("x", { internal: false });
      let payload: unknown = "leaf";
      for (let i = 0; i < 100_000; i++) payload = [payload];
      await expect(bus.trigger("x", payload)).rejects.toThrow(/nests deeper than 256 levels/);
    });

    it("refuses a payload larger than maxPayload with too_large, counting bytes not characters", async () => {
      const bus = new EventBus({ logger: silentLogger, maxPayload: 1024 });
      bus.createSignal("x", { internal: false });
      await expect(bus.trigger("x", "é".repeat(600))).rejects.toBeInstanceOf(TooLargeError);
      await expect(bus.trigger("x", "é".repeat(600))).rejects.toThrow('Event "x" is 1202 bytes as JSON; at most 1024 are allowed (EVENTS_MAX_PAYLOAD)');
      await expect(bus.trigger("x", "e".repeat(600))).resolves.toBeDefined();
    });

    it("accepts dates and missing keys, as JSON does", async () => {
      const bus = newBus();
      bus.createSignal("x", { internal: false });
      await expect(bus.trigger("x", { at: new Date(0), gone: undefined })).resolves.toMatchObject({ handlers: 0 });
    });

    it("lets internal events carry anything", async () => {
      const bus = newBus();
      const seen: unknown[] = [];
      bus.event("cache:warm", (data) => seen.push(data));
      const payload = { keys: new Map([["a", 1]]) };
      await bus.trigger("cache:warm", payload);
      expect(seen[0]).toBe(payload);
    });
  });

  describe("a declared schema", () => {
    const Model = z.object({ id: z.number().int(), value: z.string().min(1) });

    it("rejects a payload with invalid_payload naming the failing field", async () => {
      const bus = newBus();
      const handler = vi.fn((_: unknown) => {});
      bus.createSignal("model:created", { internal: false, schema: Model });
      bus.event("model:created", handler);
      const attempt = bus.trigger("model:created", { id: 1, value: "" });
      await expect(attempt).rejects.toBeInstanceOf(InvalidPayloadError);
      await expect(bus.trigger("model:created", { id: 1.5, value: "x" })).rejects.toThrow(
        /^Invalid payload for "model:created": data\.id: Invalid input: expected int/,
      );
      expect(handler).not.toHaveBeenCalled();
    });

    it("hands handlers the value the schema produced", async () => {
      const bus = newBus();
      const seen: unknown[] = [];
      bus.createSignal("x", { schema: z.object({ n: z.coerce.number() }) });
      bus.event("x", (data) => seen.push(data));
      await bus.trigger("x", { n: "42" });
      expect(seen).toEqual([{ n: 42 }]);
    });

    it("is exported as JSON Schema in the snapshot", () => {
      const bus = newBus();
      bus.createSignal("model:created", { schema: Model });
      expect(bus.snapshot()[0]!.schema).toMatchObject({
        type: "object",
        properties: { id: { type: "integer" }, value: { type: "string", minLength: 1 } },
        required: ["id", "value"],
      });
    });
  });
});
