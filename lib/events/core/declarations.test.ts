import { describe, expect, it } from "vitest";
import { EventBus } from "./bus";
import { BadRequestError, ConflictError, InvalidHandlerError } from "../shared/errors";
import { silentLogger } from "./logger";

const newBus = () => new EventBus({ logger: silentLogger });

describe("declaring", () => {
  describe("createSignal", () => {
    it("declares an internal, non-singleton event by default", () => {
      const bus = newBus();
      bus.createSignal("model:created");
      expect(bus.snapshot()).toMatchObject([{ name: "model:created", kind: "event", internal: true, singleton: false, handlers: 0 }]);
    });

    it("declares a public event with internal: false", () => {
      const bus = newBus();
      bus.createSignal("model:created", { internal: false });
      expect(bus.snapshot()[0]).toMatchObject({ internal: false });
    });

    it("does nothing when the name is declared again with the same flags", () => {
      const bus = newBus();
      bus.createSignal("model:created", { internal: false });
      expect(() => bus.createSignal("model:created", { internal: false })).not.toThrow();
      expect(bus.snapshot()).toHaveLength(1);
    });

    it("throws a conflict naming both declarations when the flags differ", () => {
      const bus = newBus();
      bus.createSignal("model:created", { internal: false });
      const attempt = () => bus.createSignal("model:created", { internal: true });
      expect(attempt).toThrow(ConflictError);
      expect(attempt).toThrow(
        '"model:created" is already declared as an event { internal: false, singleton: false }; it cannot be re-declared as an event { internal: true, singleton: false }',
      );
    });

    it("refuses a query name re-declared as an event", () => {
      const bus = newBus();
      bus.query("model:count", (_) => 1);
      expect(() => bus.createSignal("model:count")).toThrow(/already declared as a query .* cannot be re-declared as an event/);
    });

    it("refuses names that are empty, too long or have spaces", () => {
      const bus = newBus();
      for (const name of ["", "has space", "x".repeat(201), "<script>"]) {
        expect(() => bus.createSignal(name)).toThrow(BadRequestError);
      }
    });

    it("refuses a schema that is not a Standard Schema", () => {
      const bus = newBus();
      expect(() => bus.createSignal("x", { schema: { parse() {} } as never })).toThrow(/not a Standard Schema/);
    });
  });

  describe("event", () => {
    it("declares the event when needed, with secure defaults", () => {
      const bus = newBus();
      bus.event("audit:login", (_) => {});
      expect(bus.snapshot()[0]).toMatchObject({ name: "audit:login", kind: "event", internal: true, singleton: false, handlers: 1 });
    });

    it("keeps the flags of an earlier declaration when given none", () => {
      const bus = newBus();
      bus.createSignal("model:created", { internal: false });
      bus.event("model:created", (_) => {});
      expect(bus.snapshot()[0]).toMatchObject({ internal: false, handlers: 1 });
    });

    it("throws when its flags contradict the declaration", () => {
      const bus = newBus();
      bus.createSignal("model:created", { internal: false });
      expect(() => bus.event("model:created", (_) => {}, { internal: true })).toThrow(ConflictError);
    });

    it("counts a handler registered again from the same source once (a module imported twice)", () => {
      const bus = newBus();
      const register = () => bus.event("model:created", function onCreated(data) { return data; });
      register();
      register();
      expect(bus.snapshot()[0]!.handlers).toBe(1);
    });

    it("replaces the handler registered under the same key", async () => {
      const bus = newBus();
      const seen: string[] = [];
      bus.event("x", (_) => seen.push("old"), { key: "reaction" });
      bus.event("x", (_) => seen.push("new"), { key: "reaction" });
      await bus.trigger("x", null);
      expect(seen).toEqual(["new"]);
    });

    it("throws when a singleton event gets a second handler", () => {
      const bus = newBus();
      bus.createSignal("job:run", { singleton: true });
      bus.event("job:run", (_) => 1);
      expect(() => bus.event("job:run", (_) => 2)).toThrow(/"job:run" is a singleton event and already has a handler/);
    });

    it.each([
      ["no argument", () => 1],
      ["two arguments", (a: unknown, b: unknown) => [a, b]],
      ["only a default parameter", (a = 1) => a],
      ["a rest parameter", (...args: unknown[]) => args],
    ])("refuses a handler with %s", (_label, handler) => {
      const bus = newBus();
      expect(() => bus.event("x", handler as never)).toThrow(InvalidHandlerError);
      expect(() => bus.event("x", handler as never)).toThrow(/a handler takes exactly one: the event's data/);
    });

    it("refuses a handler that is not a function", () => {
      expect(() => newBus().event("x", "nope" as never)).toThrow(/must be a function, got string/);
    });

    it("returns the function that removes the handler", async () => {
      const bus = newBus();
      let calls = 0;
      const remove = bus.event("x", (_) => calls++);
      remove();
      const report = await bus.trigger("x", null);
      expect(calls).toBe(0);
      expect(report.handlers).toBe(0);
    });
  });

  describe("query", () => {
    it("declares an internal singleton query by default", () => {
      const bus = newBus();
      bus.query("model:count", (_) => 0);
      expect(bus.snapshot()[0]).toMatchObject({ kind: "query", internal: true, singleton: true, handlers: 1 });
    });

    it("throws when a singleton query gets a second handler", () => {
      const bus = newBus();
      bus.query("model:count", (_) => 0);
      expect(() => bus.query("model:count", (_) => 1)).toThrow(ConflictError);
    });

    it("can be declared without a handler, for instances that only ask", async () => {
      const bus = newBus();
      bus.createQuery("report:summary", { internal: false });
      expect(bus.snapshot()[0]).toMatchObject({ name: "report:summary", kind: "query", internal: false, singleton: true, handlers: 0 });
      await expect(bus.request("report:summary")).rejects.toThrow('Query "report:summary" has no handler');
    });

    it("takes several handlers when declared with singleton: false", () => {
      const bus = newBus();
      bus.query("search", (_) => "a", { singleton: false });
      bus.query("search", (_) => "b");
      expect(bus.snapshot()[0]).toMatchObject({ singleton: false, handlers: 2 });
    });
  });
});
