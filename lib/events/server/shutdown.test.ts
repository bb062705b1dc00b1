import { afterEach, describe, expect, it } from "vitest";
import { CloseCode, type ServerFrame } from "@/lib/events/protocol";
import { createMonitorToken } from "@/lib/events/server";
import { RawClient, startTransport, TEST_SECRET, type Harness } from "@/test/support/transport-harness";
import { deferred, waitFor } from "@/test/support/wait-for";

let harness: Harness;
afterEach(() => harness?.close());

/** Everything a client saw, frames and its close, in the order it saw them. */
function timeline(client: RawClient): (ServerFrame | { close: number })[] {
  const seen: (ServerFrame | { close: number })[] = [];
  client.ws.on("message", (data) => seen.push(JSON.parse(data.toString()) as ServerFrame));
  client.ws.on("close", (code) => seen.push({ close: code }));
  return seen;
}

/** A public query whose handler answers `{ echoed: data }` after `ms`; `started` resolves when it first runs. */
function slowQuery(h: Harness, name: string, ms: number) {
  const started = deferred();
  let runs = 0;
  h.bus.query(name, async (value: unknown) => {
    runs++;
    started.resolve();
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { echoed: value };
  }, { internal: false });
  return { promise: started.promise, runs: () => runs };
}

describe("transport.close()", () => {
  it("closes every socket with 1001 (going away: clients reconnect)", async () => {
    harness = await startTransport();
    const clients = await Promise.all([harness.connect(), harness.connect(), harness.connect()]);
    await harness.transport.close();
    const codes = await Promise.all(clients.map((client) => client.closed()));
    expect(codes).toEqual([CloseCode.GoingAway, CloseCode.GoingAway, CloseCode.GoingAway]);
    expect(clients.map((client) => (client.ws as unknown as { _closeMessage: Buffer })._closeMessage?.toString())).toEqual([
      "server shutting down",
      "server shutting down",
      "server shutting down",
    ]);
    expect(harness.transport.stats().connections).toBe(0);
  });

  it("closes monitor sessions with 1001 too", async () => {
    harness = await startTransport();
    const monitor = await harness.connect();
    expect(await monitor.op({ type: "monitor", token: createMonitorToken(TEST_SECRET) })).toMatchObject({ type: "ok" });
    await harness.transport.close();
    expect(await monitor.closed()).toBe(CloseCode.GoingAway);
  });

  it("lets a request in flight finish: its ok arrives before the 1001", async () => {
    harness = await startTransport();
    const started = slowQuery(harness, "report:build", 200);
    const client = await harness.connect();
    const seen = timeline(client);
    client.send({ type: "request", ref: "slow", query: "report:build", data: 42 });
    await started.promise;
    const closing = harness.transport.close();
    expect(await client.closed()).toBe(CloseCode.GoingAway);
    await closing;
    expect(seen).toEqual([{ type: "ok", ref: "slow", data: { echoed: 42 } }, { close: CloseCode.GoingAway }]);
  });

  it("waits for the in-flight ops of every connection, each on its own connection", async () => {
    harness = await startTransport();
    const started = slowQuery(harness, "report:build", 150);
    const a = await harness.connect();
    const b = await harness.connect();
    const seenA = timeline(a);
    const seenB = timeline(b);
    a.send({ type: "request", ref: "a", query: "report:build", data: "a" });
    b.send({ type: "request", ref: "b", query: "report:build", data: "b" });
    await waitFor(() => started.runs() === 2, "both handlers to start");
    await harness.transport.close();
    await Promise.all([a.closed(), b.closed()]);
    expect(seenA).toEqual([{ type: "ok", ref: "a", data: { echoed: "a" } }, { close: CloseCode.GoingAway }]);
    expect(seenB).toEqual([{ type: "ok", ref: "b", data: { echoed: "b" } }, { close: CloseCode.GoingAway }]);
  });

  it("answers an op that arrives while the server drains before the 1001", async () => {
    harness = await startTransport();
    const started = slowQuery(harness, "report:build", 200);
    const client = await harness.connect();
    const seen = timeline(client);
    client.send({ type: "request", ref: "first", query: "report:build", data: 1 });
    await started.promise;
    const closing = harness.transport.close();
    // The connection is still open while the first request drains; the client sends another.
    client.send({ type: "request", ref: "second", query: "report:build", data: 2 });
    await client.closed();
    await closing;
    const replies = seen.filter((item): item is ServerFrame => "type" in item && (item.type === "ok" || item.type === "error"));
    expect(replies.map((reply) => (reply as { ref: unknown }).ref).sort()).toEqual(["first", "second"]);
    expect(seen.at(-1)).toEqual({ close: CloseCode.GoingAway });
  });

  it("does not wait longer than drainMs for a handler that never answers", async () => {
    harness = await startTransport();
    const started = deferred();
    harness.bus.query("forever:pending", (_data: unknown) => {
      started.resolve();
      return new Promise(() => {});
    }, { internal: false });
    const client = await harness.connect();
    client.send({ type: "request", ref: "stuck", query: "forever:pending", data: null, timeout: 60_000 });
    await started.promise;
    const before = Date.now();
    await harness.transport.close(150);
    expect(Date.now() - before).toBeLessThan(2_000);
    expect(await client.closed()).toBe(CloseCode.GoingAway);
  });

  it("refuses new upgrades with HTTP 503 while it drains", async () => {
    harness = await startTransport();
    const started = slowQuery(harness, "report:build", 200);
    const client = await harness.connect();
    client.send({ type: "request", ref: "slow", query: "report:build", data: 0 });
    await started.promise;
    const closing = harness.transport.close();
    await expect(RawClient.open(harness.url)).rejects.toThrow("HTTP 503");
    expect(client.closeCode).toBeUndefined();
    await closing;
  });

  it("refuses new upgrades with HTTP 503 after it closed", async () => {
    harness = await startTransport();
    await harness.transport.close();
    await expect(RawClient.open(harness.url)).rejects.toThrow("HTTP 503");
    await expect(RawClient.open(harness.url, { origin: "https://evil.example" })).rejects.toThrow("HTTP 503");
  });

  it("stops delivering events", async () => {
    harness = await startTransport({ heartbeatMs: 100 });
    harness.bus.createSignal("model:created", { internal: false });
    const client = await harness.connect();
    await client.op({ type: "subscribe", event: "model:created" });
    await harness.transport.close();
    await client.closed();
    const report = await harness.bus.trigger("model:created", 1);
    expect(report.delivered).toBe(0);
  });

  it("may be called again: every call resolves once the transport is closed", async () => {
    harness = await startTransport();
    const started = slowQuery(harness, "report:build", 150);
    const client = await harness.connect();
    client.send({ type: "request", ref: "slow", query: "report:build", data: 0 });
    await started.promise;
    const first = harness.transport.close();
    // A second caller (a signal handler, the HTTP server's own close) must not be told "closed" early.
    await harness.transport.close();
    expect(harness.transport.stats().connections).toBe(0);
    await first;
    await harness.transport.close();
  });

  it("resolves even when a client never answers the close handshake", async () => {
    harness = await startTransport();
    const client = await harness.connect();
    // Stop reading: the server's close frame is never answered.
    (client.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const before = Date.now();
    await harness.transport.close(100);
    expect(Date.now() - before).toBeLessThan(3_000);
    await waitFor(() => harness.transport.stats().connections === 0, "the connection to be forgotten", 3_000);
  });
});
