import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startTransport, type Harness, type RawClient } from "@/test/support/transport-harness";
import { deferred, waitFor } from "@/test/support/wait-for";

let harness: Harness;
afterEach(() => harness?.close());

/**
 * Sends frames so that they leave in one TCP segment and reach the server in one read: `ws`
 * then emits their messages synchronously one after another, with no I/O in between (what a
 * client that pipelines ops, or a busy network, produces).
 */
function sendTogether(client: RawClient, frames: Record<string, unknown>[]): void {
  const socket = (client.ws as unknown as { _socket: Socket })._socket;
  socket.cork();
  for (const frame of frames) client.send(frame);
  socket.uncork();
}

describe("EVENTS_MAX_SUBSCRIPTIONS", () => {
  it("holds when the subscribes are pipelined in one read", async () => {
    harness = await startTransport({ maxSubscriptions: 2 });
    const names = ["a:1", "a:2", "a:3", "a:4", "a:5"];
    for (const name of names) harness.bus.createSignal(name, { internal: false });
    const client = await harness.connect();
    sendTogether(
      client,
      names.map((event, i) => ({ type: "subscribe", ref: i, event })),
    );
    await waitFor(() => client.frames.length === 1 + names.length, "five replies");
    expect(client.ofType("ok")).toHaveLength(2);
    expect(client.ofType("error").map((error) => error.code)).toEqual(["forbidden", "forbidden", "forbidden"]);
    expect(harness.transport.stats().subscriptions).toBe(2);
  });

  it("holds when the subscribes arrive one by one", async () => {
    harness = await startTransport({ maxSubscriptions: 2 });
    for (const name of ["b:1", "b:2", "b:3"]) harness.bus.createSignal(name, { internal: false });
    const client = await harness.connect();
    expect(await client.op({ type: "subscribe", event: "b:1" })).toMatchObject({ type: "ok" });
    expect(await client.op({ type: "subscribe", event: "b:2" })).toMatchObject({ type: "ok" });
    expect(await client.op({ type: "subscribe", event: "b:3" })).toMatchObject({ type: "error", code: "forbidden" });
  });
});

describe("a connection that goes away while its subscribe is being authorized", () => {
  it("leaves no subscriber behind", async () => {
    harness = await startTransport();
    const asked = deferred();
    const answer = deferred<boolean>();
    harness.bus.createSignal("room:message", {
      internal: false,
      authorize: () => {
        asked.resolve();
        return answer.promise;
      },
    });
    const client = await harness.connect();
    client.send({ type: "subscribe", ref: "s", event: "room:message" });
    await asked.promise;
    client.terminate();
    await waitFor(() => harness.transport.stats().connections === 0, "the connection to be forgotten");
    answer.resolve(true);
    // The rest of the subscribe runs in microtasks after the hook's answer: one macrotask turn sees it done.
    await new Promise((resolve) => setImmediate(resolve));
    const stats = harness.transport.stats();
    expect(stats.connections).toBe(0);
    expect(stats.subscribers).toEqual({});
    const report = await harness.bus.trigger("room:message", "hello");
    expect(report.delivered).toBe(0);
  });
});

describe("ops on one name apply in the order the client sent them", () => {
  it("a subscribe immediately followed by an unsubscribe leaves the client unsubscribed", async () => {
    harness = await startTransport();
    harness.bus.createSignal("model:created", { internal: false });
    const client = await harness.connect();
    sendTogether(client, [
      { type: "subscribe", ref: "sub", event: "model:created" },
      { type: "unsubscribe", ref: "unsub", event: "model:created" },
    ]);
    await waitFor(() => client.ofType("ok").length === 2, "both replies");
    expect(client.ofType("ok").map((reply) => reply.ref)).toEqual(["sub", "unsub"]);
    expect(harness.transport.stats().subscriptions).toBe(0);
    const report = await harness.bus.trigger("model:created", { id: 1 });
    expect(report.delivered).toBe(0);
  });

  it("an unsubscribe sent while a subscribe awaits its authorize hook wins, since it was sent last", async () => {
    harness = await startTransport();
    const answer = deferred<boolean>();
    harness.bus.createSignal("room:message", { internal: false, authorize: () => answer.promise });
    const client = await harness.connect();
    client.send({ type: "subscribe", ref: "sub", event: "room:message" });
    client.send({ type: "unsubscribe", ref: "unsub", event: "room:message" });
    // The unsubscribe is answered or held back; either way, once the hook says yes, the last op wins.
    answer.resolve(true);
    await waitFor(() => client.ofType("ok").length === 2, "both replies");
    expect(harness.transport.stats().subscriptions).toBe(0);
  });
});
