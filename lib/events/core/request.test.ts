import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { EventBus } from "./bus";
import { HandlerError, InvalidPayloadError, NoHandlerError, NotFoundError, TimeoutError } from "../shared/errors";
import { silentLogger } from "./logger";

const newBus = () => new EventBus({ logger: silentLogger });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("request", () => {
  it("resolves a singleton query to its handler's value", async () => {
    const bus = newBus();
    bus.query("model:count", async (_) => 42);
    await expect(bus.request("model:count")).resolves.toBe(42);
  });

  it("hands the data to the handler", async () => {
    const bus = newBus();
    bus.query("double", (n) => (n as number) * 2);
    await expect(bus.request("double", 21)).resolves.toBe(42);
  });

  it("resolves a non-singleton query to every handler's value, in registration order", async () => {
    const bus = newBus();
    bus.query("search", async function slow(_) { await sleep(20); return "first"; }, { singleton: false });
    bus.query("search", async function fast(_) { return "second"; });
    await expect(bus.request("search", "q")).resolves.toEqual(["first", "second"]);
  });

  it("rejects with not_found for an undeclared query, suggesting a near one", async () => {
    const bus = newBus();
    bus.query("model:count", (_) => 1);
    await expect(bus.request("model:cuont")).rejects.toThrow('Unknown query "model:cuont" (did you mean "model:count"?)');
    await expect(bus.request("model:cuont")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("says so when the name is an event, not a query", async () => {
    const bus = newBus();
    bus.createSignal("model:created");
    await expect(bus.request("model:created")).rejects.toThrow('Unknown query "model:created" ("model:created" is an event)');
  });

  it("rejects at once with no_handler when the query has none", async () => {
    const bus = newBus();
    const remove = bus.query("model:count", (_) => 1);
    remove();
    await expect(bus.request("model:count", undefined, { timeout: 60_000 })).rejects.toBeInstanceOf(NoHandlerError);
    await expect(bus.request("model:count")).rejects.toThrow('Query "model:count" has no handler');
  });

  it("rejects with handler_error naming the query and carrying the cause", async () => {
    const bus = newBus();
    const cause = new Error("database is locked");
    bus.query("model:count", function countAll(_) { throw cause; });
    const error = await bus.request("model:count").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandlerError);
    expect((error as Error).message).toBe('Query "model:count" failed: countAll: database is locked');
    expect((error as Error).cause).toBe(cause);
  });

  it("reports every failure of a non-singleton query", async () => {
    const bus = newBus();
    bus.query("search", function a(_) { throw new Error("a down"); }, { singleton: false });
    bus.query("search", function b(_) { return "ok"; });
    bus.query("search", async function c(_) { throw new Error("c down"); });
    const error = (await bus.request("search", "q").catch((e: unknown) => e)) as HandlerError;
    expect(error.message).toBe('Query "search" failed: a: a down; c: c down');
    expect(error.cause).toBeInstanceOf(AggregateError);
    expect((error.cause as AggregateError).errors.map((e: Error) => e.message)).toEqual(["a down", "c down"]);
  });

  it("rejects with timeout when the handler takes too long", async () => {
    const bus = newBus();
    bus.query("slow", async (_) => { await sleep(1_000); return 1; });
    const attempt = bus.request("slow", undefined, { timeout: 20 });
    await expect(attempt).rejects.toBeInstanceOf(TimeoutError);
    await expect(bus.request("slow", undefined, { timeout: 20 })).rejects.toThrow('Request "slow" timed out after 20 ms');
  });

  it("uses the configured default timeout", async () => {
    const bus = new EventBus({ logger: silentLogger, requestTimeout: 15 });
    bus.query("slow", async (_) => sleep(1_000));
    await expect(bus.request("slow")).rejects.toThrow("timed out after 15 ms");
  });

  it("rejects with timeout when its signal aborts", async () => {
    const bus = newBus();
    bus.query("slow", async (_) => sleep(1_000));
    const controller = new AbortController();
    const attempt = bus.request("slow", undefined, { signal: controller.signal });
    controller.abort();
    await expect(attempt).rejects.toThrow('Request "slow" was aborted');
  });

  it("rejects at once when its signal was already aborted", async () => {
    const bus = newBus();
    const handler = vi.fn(async (_: unknown) => 1);
    bus.query("q", handler);
    await expect(bus.request("q", undefined, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(TimeoutError);
  });

  it("checks the declared schema", async () => {
    const bus = newBus();
    bus.query("double", (n) => (n as number) * 2, { schema: z.number() });
    await expect(bus.request("double", "21")).rejects.toBeInstanceOf(InvalidPayloadError);
    await expect(bus.request("double", "21")).rejects.toThrow(/Invalid payload for "double": data: Invalid input: expected number/);
  });

  it("tells the handler it is answering a query", async () => {
    const bus = newBus();
    bus.query("who", (_) => bus.context());
    await expect(bus.request("who", undefined, { source: "monitor" })).resolves.toMatchObject({ kind: "query", name: "who", source: "monitor" });
  });

  describe("requestSettled", () => {
    it("resolves to one outcome per handler, failures included", async () => {
      const bus = newBus();
      bus.query("search", function a(_) { return 1; }, { singleton: false });
      bus.query("search", function b(_) { throw new Error("down"); });
      const outcomes = await bus.requestSettled("search", "q");
      expect(outcomes).toEqual([
        { ok: true, handler: "a", value: 1 },
        { ok: false, handler: "b", error: new Error("down") },
      ]);
    });

    it("still rejects when nobody can answer", async () => {
      const bus = newBus();
      bus.query("q", (_) => 1)();
      await expect(bus.requestSettled("q")).rejects.toBeInstanceOf(NoHandlerError);
    });
  });
});
