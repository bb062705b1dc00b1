// Patterns, presence and connections across instances: real transports on one real Redis, real WebSocket clients.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { RedisAdapter } from "@/lib/events/adapters/redis";
import { EventManager } from "@/lib/events/client/event-manager";
import type { ConnectionsResult, Gap, PresenceMember } from "@/lib/events/client";
import { silentLogger } from "@/lib/events/core/logger";
import type { ServerFrame } from "@/lib/events/protocol";
import { startTestRedis, type TestRedis } from "@/test/support/redis-server";
import { startTcpProxy, type TcpProxy } from "@/test/support/tcp-proxy";
import { createMonitorToken } from "@/lib/events/server";
import { startTransport, TEST_SECRET, type Harness, type RawClient } from "@/test/support/transport-harness";
import { waitFor } from "@/test/support/wait-for";

let redis: TestRedis;
const running = new Set<Harness>();
const managers: EventManager[] = [];
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(() => redis?.stop());
afterEach(async () => {
  for (const manager of managers.splice(0)) manager.close();
  for (const proxy of proxies.splice(0)) await proxy.close();
  for (const instance of [...running]) await stop(instance);
});

/** An app instance on the shared Redis, named `id`, with the app's declarations. */
async function instance(id: string): Promise<Harness> {
  const harness = await startTransport({}, { instance: id, historySize: 100 });
  harness.bus.useAdapter(await RedisAdapter.connect({ url: redis.url, instance: id, historySize: 100, logger: silentLogger, connectTimeoutMs: 1_000 }));
  await waitFor(() => harness.bus.adapter.state === "ready", "Redis to be ready");
  harness.bus.createSignal("model:created", { internal: false });
  harness.bus.createSignal("model:deleted", { internal: false });
  harness.bus.createSignal("model:audit", { internal: true });
  harness.bus.createSignal("room:lobby", { internal: false, presence: true });
  harness.bus.identify((request) => {
    const user = request.headers["x-user"];
    return typeof user === "string" ? { name: user } : null;
  });
  running.add(harness);
  return harness;
}

async function stop(harness: Harness): Promise<void> {
  running.delete(harness);
  await harness.close();
  await harness.bus.adapter.close();
}

const portOf = (harness: Harness) => Number(new URL(harness.url).port);

describe("a pattern subscription across a server restart, with Redis", () => {
  it("recovers what it missed per name, in order, from the restarted server, with no gap", async () => {
    const a = await instance("a");
    const b = await instance("b");
    // The client reaches A through a balancer, so that A can go away and come back on another port.
    const balancer = await startTcpProxy(portOf(a));
    proxies.push(balancer);
    const client = new EventManager({ url: `ws://127.0.0.1:${balancer.port}/ws/events`, WebSocket, backoff: () => 20 });
    managers.push(client);
    const received: string[] = [];
    const gaps: Gap[] = [];
    await client.subscribe("model:*", { onGap: (gap) => gaps.push(gap) });
    client.registerHandler("model:*", (data, meta) => void received.push(`${meta.event} ${String(data)}`));

    await a.bus.trigger("model:created", 1);
    await b.bus.trigger("model:deleted", 1);
    await waitFor(() => received.length === 2, "the events before the restart");

    balancer.refuse(true);
    await stop(a);
    await waitFor(() => client.state === "reconnecting", "the client to notice");
    await b.bus.trigger("model:created", 2);
    await b.bus.trigger("model:audit", "never to a browser");
    await b.bus.trigger("model:deleted", 2);
    await b.bus.trigger("model:created", 3);

    const restarted = await instance("a");
    balancer.retarget(portOf(restarted));
    balancer.refuse(false);
    await waitFor(() => received.length === 5, "the missed events, replayed", 15_000);
    await restarted.bus.trigger("model:deleted", 3);
    await waitFor(() => received.length === 6, "a live event after the replay");

    const byName = (name: string) => received.filter((line) => line.startsWith(name));
    expect(byName("model:created")).toEqual(["model:created 1", "model:created 2", "model:created 3"]);
    expect(byName("model:deleted")).toEqual(["model:deleted 1", "model:deleted 2", "model:deleted 3"]);
    expect(received).toHaveLength(6);
    expect(gaps).toEqual([]);
  });
});

describe("presence across instances, with Redis", () => {
  const joinsAndLeaves = (client: RawClient) =>
    client.frames.filter((frame): frame is Extract<ServerFrame, { type: "join" | "leave" }> => frame.type === "join" || frame.type === "leave");
  const connectionOf = (client: RawClient) => client.ofType("welcome")[0]!.connection;

  it("tells a watcher on A who joins and leaves on B, with exactly what B's identify hook returned", async () => {
    const a = await instance("a");
    const b = await instance("b");
    const ada = await a.connect({ headers: { "x-user": "Ada" } });
    await ada.op({ type: "subscribe", event: "room:lobby", presence: true });
    const bob = await b.connect({ headers: { "x-user": "Bob" } });
    await bob.op({ type: "subscribe", event: "room:lobby" });

    const bobAsMember: PresenceMember = { connection: connectionOf(bob), info: { name: "Bob" } };
    await waitFor(() => joinsAndLeaves(ada).length === 2, "Bob's join on A", 10_000);
    expect(joinsAndLeaves(ada)).toEqual([
      { type: "join", event: "room:lobby", member: { connection: connectionOf(ada), info: { name: "Ada" } } },
      { type: "join", event: "room:lobby", member: bobAsMember },
    ]);
    // Either instance lists both.
    const listed = await ada.op({ type: "presence", event: "room:lobby" });
    expect(listed).toMatchObject({ type: "ok", count: 2 });
    expect(b.bus.presence("room:lobby").count).toBe(2);

    bob.terminate();
    await waitFor(() => joinsAndLeaves(ada).length === 3, "Bob's leave on A", 10_000);
    expect(joinsAndLeaves(ada)[2]).toEqual({ type: "leave", event: "room:lobby", member: bobAsMember });
    await waitFor(() => a.bus.presence("room:lobby").count === 1, "A's list without Bob");
  });
});

describe("connections across instances, with Redis", () => {
  it("lets a dashboard on A list B's connections and disconnect one, and says which instance did not answer", async () => {
    const a = await instance("a");
    const b = await instance("b");
    const onB = await b.connect({ headers: { "x-user": "Bob" } });
    await onB.op({ type: "subscribe", event: "model:created" });
    const dashboard = await a.connect();
    await dashboard.op({ type: "monitor", token: createMonitorToken(TEST_SECRET) });
    await waitFor(() => a.bus.adapter.instances().length === 2, "A to know B", 10_000);

    const listed = (await dashboard.op({ type: "connections" })) as unknown as ConnectionsResult;
    expect(listed.instances).toEqual(expect.arrayContaining([{ instance: "a", total: 1, listed: 1 }, { instance: "b", total: 1, listed: 1 }]));
    const bobs = listed.connections.find((connection) => connection.instance === "b")!;
    expect(bobs).toMatchObject({ id: onB.ofType("welcome")[0]!.connection, subscriptions: ["model:created"], member: { name: "Bob" }, monitor: false });

    expect(await dashboard.op({ type: "disconnect", connection: bobs.id, reason: "from A" })).toMatchObject({ type: "ok", instance: "b" });
    expect(await onB.closed()).toBe(4100);

    // B stops answering (its process froze, say) while the registry still lists it.
    b.bus.onInstanceCommand("connections", () => new Promise(() => {}));
    const partial = (await dashboard.op({ type: "connections" })) as unknown as ConnectionsResult;
    expect(partial.instances).toEqual(expect.arrayContaining([{ instance: "b", error: expect.stringContaining("2000 ms") }]));
  });
});
