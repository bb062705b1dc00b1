import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { EventManager } from "@/lib/events/client/event-manager";
import type { ConnectionsResult } from "@/lib/events/client";
import { createMonitorToken } from "@/lib/events/server";
import { startTransport, TEST_SECRET, type Harness, type RawClient } from "@/test/support/transport-harness";
import { waitFor } from "@/test/support/wait-for";

let harness: Harness;
const managers: EventManager[] = [];
afterEach(async () => {
  for (const manager of managers.splice(0)) manager.close();
  await harness?.close();
});

async function setup() {
  harness = await startTransport();
  harness.bus.createSignal("model:created", { internal: false });
  harness.bus.createSignal("room:lobby", { internal: false, presence: true });
  harness.bus.identify((request) => (typeof request.headers["x-user"] === "string" ? { name: request.headers["x-user"] } : null));
  return harness;
}

async function monitor(): Promise<RawClient> {
  const client = await harness.connect();
  expect(await client.op({ type: "monitor", token: createMonitorToken(TEST_SECRET) })).toMatchObject({ type: "ok" });
  return client;
}

const idOf = (client: RawClient) => client.ofType("welcome")[0]!.connection;

describe("the connections op", () => {
  it("is forbidden to a normal connection, as is disconnect", async () => {
    await setup();
    const page = await harness.connect();
    expect(await page.op({ type: "connections" })).toMatchObject({ type: "error", code: "forbidden", message: expect.stringContaining("monitor sessions only") });
    expect(await page.op({ type: "disconnect", connection: idOf(page) })).toMatchObject({ type: "error", code: "forbidden" });
    expect(page.closeCode).toBeUndefined();
  });

  it("lists every connection with its origin, user agent, subscriptions (names and patterns), counters and member info, newest first", async () => {
    await setup();
    const origin = `http://${new URL(harness.url).host}`;
    const ada = await harness.connect({ origin, headers: { "user-agent": "Ada's browser", "x-user": "Ada" } });
    await ada.op({ type: "subscribe", event: "model:created" });
    await ada.op({ type: "subscribe", event: "room:*" });
    await ada.op({ type: "subscribe", event: "room:lobby" });
    const dashboard = await monitor();
    const reply = (await dashboard.op({ type: "connections" })) as unknown as ConnectionsResult;
    expect(reply.instances).toEqual([{ instance: harness.bus.instance, total: 2, listed: 2 }]);
    expect(reply.connections.map((connection) => connection.id)).toEqual([idOf(dashboard), idOf(ada)]);
    expect(reply.connections[1]).toEqual({
      id: idOf(ada),
      instance: harness.bus.instance,
      origin,
      address: "127.0.0.1",
      userAgent: "Ada's browser",
      connectedAt: expect.any(Number),
      monitor: false,
      subscriptions: ["model:created", "room:*", "room:lobby"],
      queued: 0,
      buffered: 0,
      dropped: 0,
      gapsSent: 0,
      opsPerSecond: 0.3,
      member: { name: "Ada" },
    });
    expect(reply.connections[0]).toMatchObject({ monitor: true, subscriptions: [] });
  });

  it("finds connections by any of their fields (an event name finds its pattern subscribers too), and lists at most `limit` per instance while counting them all", async () => {
    await setup();
    const ada = await harness.connect({ headers: { "x-user": "Ada Lovelace" } });
    await ada.op({ type: "subscribe", event: "model:created" });
    await harness.connect({ headers: { "x-user": "Bob" } });
    const dashboard = await monitor();
    const byMember = (await dashboard.op({ type: "connections", search: "lovelace" })) as unknown as ConnectionsResult;
    expect(byMember.connections.map((connection) => connection.id)).toEqual([idOf(ada)]);
    const bySubscription = (await dashboard.op({ type: "connections", search: "MODEL:CREATED" })) as unknown as ConnectionsResult;
    expect(bySubscription.connections.map((connection) => connection.id)).toEqual([idOf(ada)]);
    const byPattern = await harness.connect();
    await byPattern.op({ type: "subscribe", event: "model:*" });
    const reached = (await dashboard.op({ type: "connections", search: "model:created" })) as unknown as ConnectionsResult;
    expect(reached.connections.map((connection) => connection.id).sort()).toEqual([idOf(ada), idOf(byPattern)].sort());
    const limited = (await dashboard.op({ type: "connections", limit: 1 })) as unknown as ConnectionsResult;
    expect(limited.connections).toHaveLength(1);
    expect(limited.instances).toEqual([{ instance: harness.bus.instance, total: 4, listed: 1 }]);
  });

  it("refuses a bad search, limit or connection id with bad_request naming the field", async () => {
    await setup();
    const dashboard = await monitor();
    expect(await dashboard.op({ type: "connections", limit: 0 })).toMatchObject({ code: "bad_request", message: expect.stringContaining('"limit"') });
    expect(await dashboard.op({ type: "connections", limit: 501 })).toMatchObject({ code: "bad_request" });
    expect(await dashboard.op({ type: "connections", search: "x".repeat(201) })).toMatchObject({ code: "bad_request", message: expect.stringContaining('"search"') });
    expect(await dashboard.op({ type: "disconnect" })).toMatchObject({ code: "bad_request", message: expect.stringContaining('"connection"') });
    expect(await dashboard.op({ type: "disconnect", connection: "abc", reason: "é".repeat(41) })).toMatchObject({ code: "bad_request", message: expect.stringContaining('"reason"') });
  });

  it("is not traced: polling it does not fill the dashboard's traffic", async () => {
    await setup();
    const dashboard = await monitor();
    for (let i = 0; i < 5; i++) await dashboard.op({ type: "connections" });
    await harness.bus.trigger("model:created", 1);
    await waitFor(() => dashboard.ofType("trace").length > 0, "the trigger's trace");
    expect(dashboard.ofType("trace").map((trace) => trace.name)).toEqual(["model:created"]);
  });
});

describe("the disconnect op", () => {
  it("closes the connection with 4100 and the reason, and leaves a wf:disconnected trace saying which monitor did it", async () => {
    await setup();
    const page = await harness.connect();
    const dashboard = await monitor();
    const closeReason = new Promise<string>((resolve) => page.ws.once("close", (_code, reason) => resolve(reason.toString())));
    expect(await dashboard.op({ type: "disconnect", connection: idOf(page), reason: "testing" })).toEqual({ type: "ok", ref: expect.any(String), instance: harness.bus.instance });
    expect(await page.closed()).toBe(4100);
    expect(await closeReason).toBe("disconnected from the dashboard: testing");
    await waitFor(() => dashboard.ofType("trace").some((trace) => trace.name === "wf:disconnected"), "the disconnect's trace");
    const trace = dashboard.ofType("trace").find((record) => record.name === "wf:disconnected")!;
    expect(trace).toMatchObject({ internal: true, source: "monitor", data: { connection: idOf(page), instance: harness.bus.instance, reason: "testing", by: { connection: idOf(dashboard), session: null } } });
  });

  it("answers not_found for a connection no instance holds", async () => {
    await setup();
    const dashboard = await monitor();
    expect(await dashboard.op({ type: "disconnect", connection: "nobody00" })).toMatchObject({ code: "not_found", message: 'No open connection "nobody00" on any instance' });
  });

  it("leaves the client to reconnect and recover what it missed", async () => {
    await setup();
    harness.bus.createSignal("tick", { internal: false });
    const client = new EventManager({ url: harness.url, WebSocket, backoff: () => 50 });
    managers.push(client);
    const received: unknown[] = [];
    await client.subscribe("tick");
    client.registerHandler("tick", (data) => void received.push(data));
    await harness.bus.trigger("tick", 1);
    await waitFor(() => received.length === 1, "the first tick");
    const first = client.stateDetail.connection!;
    const dashboard = await monitor();
    await dashboard.op({ type: "disconnect", connection: first });
    await waitFor(() => client.state === "reconnecting", "the client to see the close");
    await harness.bus.trigger("tick", 2);
    await waitFor(() => client.state === "connected" && client.stateDetail.connection !== first, "the client to come back");
    await waitFor(() => received.length === 2, "the tick it missed");
    expect(received).toEqual([1, 2]);
  });
});
