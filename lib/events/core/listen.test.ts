import { describe, expect, it } from "vitest";
import { EventBus } from "./bus";
import { BadRequestError, NotFoundError } from "../shared/errors";
import { silentLogger } from "./logger";

const newBus = (queueSize = 5) => new EventBus({ logger: silentLogger, queueSize });

async function take<T>(stream: AsyncIterator<T>, count: number): Promise<T[]> {
  const items: T[] = [];
  for (let i = 0; i < count; i++) {
    const result = await stream.next();
    if (result.done) break;
    items.push(result.value);
  }
  return items;
}

describe("listen", () => {
  it("yields every event in order to a consumer that keeps up", async () => {
    const bus = newBus();
    bus.createSignal("tick");
    const stream = bus.listen("tick");
    const received: unknown[] = [];
    const consumer = (async () => {
      for await (const value of stream) {
        received.push(value);
        if (received.length === 20) break;
      }
    })();
    for (let i = 0; i < 20; i++) await bus.trigger("tick", i);
    await consumer;
    expect(received).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("throws not_found for an undeclared name", () => {
    expect(() => newBus().listen("nope")).toThrow(NotFoundError);
  });

  it("works for internal events and for events without handlers", async () => {
    const bus = newBus();
    bus.createSignal("secret", { internal: true });
    const stream = bus.listen("secret");
    await bus.trigger("secret", "x");
    expect(await take(stream, 1)).toEqual(["x"]);
  });

  describe("by pattern", () => {
    it("yields every matching event with its name and id, internal ones too, and no other", async () => {
      const bus = newBus();
      bus.createSignal("model:created");
      bus.createSignal("model:secret", { internal: true });
      bus.createSignal("order:placed");
      const stream = bus.listen("model:*");
      const created = await bus.trigger("model:created", 1);
      await bus.trigger("order:placed", 2);
      const secret = await bus.trigger("model:secret", 3);
      expect(await take(stream, 2)).toEqual([
        { name: "model:created", id: created.id, data: 1 },
        { name: "model:secret", id: secret.id, data: 3 },
      ]);
      expect(stream.pending).toBe(0);
    });

    it("hears names declared after it opened", async () => {
      const bus = newBus();
      const stream = bus.listen("*");
      bus.createSignal("late:comer");
      await bus.trigger("late:comer", "hi");
      expect(await take(stream, 1)).toEqual([expect.objectContaining({ name: "late:comer", data: "hi" })]);
    });

    it("gets each event once beside a listener of the name itself", async () => {
      const bus = newBus();
      bus.createSignal("a:b:c");
      const byName = bus.listen("a:b:c");
      const outer = bus.listen("a:*");
      const inner = bus.listen("a:b:*");
      await bus.trigger("a:b:c", "x");
      expect([byName.pending, outer.pending, inner.pending]).toEqual([1, 1, 1]);
      expect(await take(byName, 1)).toEqual(["x"]);
    });

    it("is bounded like a name's stream, counting what it missed", async () => {
      const bus = newBus(3);
      bus.createSignal("tick:a");
      bus.createSignal("tick:b");
      const stream = bus.listen("tick:*");
      for (let i = 0; i < 5; i++) await bus.trigger(i % 2 ? "tick:a" : "tick:b", i);
      expect(stream.pending).toBe(3);
      expect(stream.missed).toBe(2);
      expect((await take(stream, 3)).map((item) => item.data)).toEqual([2, 3, 4]);
    });

    it("rejects a malformed pattern with bad_request naming it", () => {
      const bus = newBus();
      expect(() => bus.listen("mo*del:*" as "x*")).toThrow(/mo\*del:\*/);
      expect(() => bus.listen("mo*del:*" as "x*")).toThrow(BadRequestError);
    });

    it("leaves nothing behind when it ends", async () => {
      const bus = newBus();
      const stream = bus.listen("model:*");
      bus.createSignal("model:created");
      await stream.return();
      await bus.trigger("model:created", 1);
      expect(bus.streamCount("model:*")).toBe(0);
      expect(stream.pending).toBe(0);
    });
  });

  describe("when the consumer falls behind", () => {
    it("drops the oldest by default, keeps the queue size, and counts what was missed", async () => {
      const bus = newBus(5);
      bus.createSignal("tick");
      const stream = bus.listen("tick");
      for (let i = 0; i < 12; i++) await bus.trigger("tick", i);
      expect(stream.pending).toBe(5);
      expect(stream.missed).toBe(7);
      expect(await take(stream, 5)).toEqual([7, 8, 9, 10, 11]);
    });

    it("drops the newest under drop-newest", async () => {
      const bus = newBus(3);
      bus.createSignal("tick");
      const stream = bus.listen("tick", { overflow: "drop-newest" });
      for (let i = 0; i < 10; i++) await bus.trigger("tick", i);
      expect(stream.missed).toBe(7);
      expect(await take(stream, 3)).toEqual([0, 1, 2]);
    });

    it("makes the trigger wait under block, losing nothing", async () => {
      const bus = newBus(2);
      bus.createSignal("tick");
      const stream = bus.listen("tick", { overflow: "block" });
      await bus.trigger("tick", 0);
      await bus.trigger("tick", 1);
      let thirdDone = false;
      const third = bus.trigger("tick", 2).then(() => (thirdDone = true));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(thirdDone).toBe(false);
      expect(await take(stream, 1)).toEqual([0]);
      await third;
      expect(thirdDone).toBe(true);
      expect(await take(stream, 2)).toEqual([1, 2]);
      expect(stream.missed).toBe(0);
    });

    it("releases a blocked trigger when the stream ends", async () => {
      const bus = newBus(1);
      bus.createSignal("tick");
      const stream = bus.listen("tick", { overflow: "block" });
      await bus.trigger("tick", 0);
      const blocked = bus.trigger("tick", 1);
      await stream.return();
      await expect(blocked).resolves.toMatchObject({ name: "tick" });
    });

    it("takes a queue size of its own", async () => {
      const bus = newBus(5);
      bus.createSignal("tick");
      const stream = bus.listen("tick", { size: 2 });
      for (let i = 0; i < 4; i++) await bus.trigger("tick", i);
      expect(stream.pending).toBe(2);
    });
  });

  describe("ending", () => {
    it("unsubscribes on break", async () => {
      const bus = newBus();
      bus.createSignal("tick");
      setTimeout(() => void bus.trigger("tick", 1), 5);
      for await (const _ of bus.listen("tick")) break;
      expect(bus.streamCount("tick")).toBe(0);
    });

    it("unsubscribes on return() and finishes a pending next()", async () => {
      const bus = newBus();
      bus.createSignal("tick");
      const stream = bus.listen("tick");
      const pending = stream.next();
      await stream.return();
      await expect(pending).resolves.toEqual({ value: undefined, done: true });
      expect(bus.streamCount()).toBe(0);
    });

    it("unsubscribes when its signal aborts", async () => {
      const bus = newBus();
      bus.createSignal("tick");
      const controller = new AbortController();
      const stream = bus.listen("tick", { signal: controller.signal });
      const pending = stream.next();
      controller.abort();
      await expect(pending).resolves.toMatchObject({ done: true });
      expect(stream.closed).toBe(true);
      expect(bus.streamCount()).toBe(0);
    });

    it("never opens with an already aborted signal", () => {
      const bus = newBus();
      bus.createSignal("tick");
      const stream = bus.listen("tick", { signal: AbortSignal.abort() });
      expect(stream.closed).toBe(true);
      expect(bus.streamCount()).toBe(0);
    });

    it("unsubscribes when disposed with await using", async () => {
      const bus = newBus();
      bus.createSignal("tick");
      {
        await using stream = bus.listen("tick");
        expect(stream.closed).toBe(false);
        expect(bus.streamCount("tick")).toBe(1);
      }
      expect(bus.streamCount("tick")).toBe(0);
    });

    it("leaves no listener or queue behind after 100,000 listen/break cycles", async () => {
      const bus = newBus();
      bus.createSignal("tick");
      const heapBefore = process.memoryUsage().heapUsed;
      for (let i = 0; i < 100_000; i++) {
        const stream = bus.listen("tick");
        if (i % 1000 === 0) {
          const consumer = (async () => {
            for await (const _ of stream) break;
          })();
          await bus.trigger("tick", i);
          await consumer;
        } else {
          await stream.return();
        }
      }
      expect(bus.streamCount()).toBe(0);
      globalThis.gc?.();
      // Not a timing: a generous bound that a leak of 100,000 streams (each well over 200 bytes) would break.
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(20 * 1024 * 1024);
    });
  });
});
