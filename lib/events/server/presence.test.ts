import { afterEach, describe, expect, it } from "vitest";
import { ConflictError } from "@/lib/events/shared/errors";
import { startTransport, type Harness, type RawClient } from "@/test/support/transport-harness";
import { waitFor } from "@/test/support/wait-for";

let harness: Harness;
afterEach(() => harness?.close());

/** A transport with a presence-tracked room and an identify hook that reads `x-user` (a JSON header). */
async function setup() {
  harness = await startTransport();
  harness.bus.createSignal("room:lobby", { internal: false, presence: true });
  harness.bus.createSignal("room:plain", { internal: false });
  harness.bus.createSignal("room:secret", { internal: true });
  harness.bus.identify((request) => {
    const user = request.headers["x-user"];
    return typeof user === "string" ? (JSON.parse(user) as Record<string, unknown>) : null;
  });
  return harness;
}

async function as(user: Record<string, unknown> | undefined): Promise<RawClient> {
  return harness.connect(user ? { headers: { "x-user": JSON.stringify(user) } } : {});
}

const connectionOf = (client: RawClient) => (client.frames[0] as { connection: string }).connection;
const presenceFrames = (client: RawClient) => client.frames.filter((frame) => frame.type === "join" || frame.type === "leave");

describe("presence", () => {
  it("lists the subscribers of a presence-tracked event with exactly what the identify hook returned", async () => {
    await setup();
    const ada = await as({ id: 1, name: "Ada" });
    const anonymous = await as(undefined);
    await ada.op({ type: "subscribe", event: "room:lobby" });
    await anonymous.op({ type: "subscribe", event: "room:lobby" });
    const asker = await as(undefined);
    expect(await asker.op({ type: "presence", event: "room:lobby" })).toEqual({
      type: "ok",
      ref: expect.any(String),
      count: 2,
      members: [
        { connection: connectionOf(ada), info: { id: 1, name: "Ada" } },
        { connection: connectionOf(anonymous) },
      ],
    });
    expect(harness.bus.presence("room:lobby").count).toBe(2);
  });

  it("tells a subscriber that asked for presence who is there (itself too), then who else joins and leaves", async () => {
    await setup();
    const ada = await as({ name: "Ada" });
    await ada.op({ type: "subscribe", event: "room:lobby" });
    const bob = await as({ name: "Bob" });
    const reply = await bob.op({ type: "subscribe", event: "room:lobby", presence: true });
    expect(reply).toMatchObject({ type: "ok" });
    await waitFor(() => presenceFrames(bob).length === 2, "the joins of who was there");
    expect(presenceFrames(bob)).toEqual([
      { type: "join", event: "room:lobby", member: { connection: connectionOf(ada), info: { name: "Ada" } } },
      { type: "join", event: "room:lobby", member: { connection: connectionOf(bob), info: { name: "Bob" } } },
    ]);
    // The frames come right after the subscribe's answer.
    const types = bob.frames.map((frame) => frame.type);
    expect(types.indexOf("join")).toBe(types.indexOf("ok") + 1);

    const cy = await as({ name: "Cy" });
    await cy.op({ type: "subscribe", event: "room:lobby" });
    await cy.op({ type: "unsubscribe", event: "room:lobby" });
    ada.terminate();
    await waitFor(() => presenceFrames(bob).length === 5, "cy's join and leave, and ada's leave");
    expect(presenceFrames(bob).slice(2)).toEqual([
      { type: "join", event: "room:lobby", member: { connection: connectionOf(cy), info: { name: "Cy" } } },
      { type: "leave", event: "room:lobby", member: { connection: connectionOf(cy), info: { name: "Cy" } } },
      { type: "leave", event: "room:lobby", member: { connection: connectionOf(ada), info: { name: "Ada" } } },
    ]);
    expect(harness.bus.presence("room:lobby").members.map((member) => member.connection)).toEqual([connectionOf(bob)]);
  });

  it("is forbidden for a name without presence tracking, and not_found for an internal or unknown one, exactly as elsewhere", async () => {
    await setup();
    const client = await as(undefined);
    expect(await client.op({ type: "presence", event: "room:plain" })).toMatchObject({ code: "forbidden" });
    expect(await client.op({ type: "subscribe", event: "room:plain", presence: true })).toMatchObject({ code: "forbidden" });
    const secret = await client.op({ type: "presence", event: "room:secret" });
    const unknown = await client.op({ type: "presence", event: "room:nothing" });
    expect(secret).toMatchObject({ code: "not_found" });
    expect(unknown).toMatchObject({ code: "not_found" });
    expect(String(secret.message).replace("room:secret", "X")).toBe(String(unknown.message).replace("room:nothing", "X"));
  });

  it("asks the authorize hook with the action presence", async () => {
    harness = await startTransport();
    const asked: string[] = [];
    harness.bus.createSignal("room:vip", { internal: false, presence: true, authorize: (action) => (asked.push(action), action === "subscribe") });
    const client = await harness.connect();
    expect(await client.op({ type: "subscribe", event: "room:vip" })).toMatchObject({ type: "ok" });
    expect(await client.op({ type: "presence", event: "room:vip" })).toMatchObject({ code: "forbidden" });
    expect(asked).toEqual(["subscribe", "presence"]);
  });

  it("counts a connection whose identify hook fails, hangs or answers something else as anonymous", async () => {
    harness = await startTransport();
    harness.bus.createSignal("room:lobby", { internal: false, presence: true });
    const answers: (() => unknown)[] = [
      () => {
        throw new Error("no session store");
      },
      () => "a string, not an object",
      () => ({ big: "x".repeat(2_000) }),
      () => ({ when: new Date(0), nested: { ok: true } }),
    ];
    let next = 0;
    harness.bus.identify(() => answers[next++]!() as Record<string, unknown>);
    const clients = [];
    for (let i = 0; i < answers.length; i++) {
      const client = await harness.connect();
      await client.op({ type: "subscribe", event: "room:lobby" });
      clients.push(client);
    }
    expect(harness.bus.presence("room:lobby").members).toEqual([
      { connection: connectionOf(clients[0]!) },
      { connection: connectionOf(clients[1]!) },
      { connection: connectionOf(clients[2]!) },
      // Through JSON, exactly: a Date becomes its string.
      { connection: connectionOf(clients[3]!), info: { when: "1970-01-01T00:00:00.000Z", nested: { ok: true } } },
    ]);
  });
});

describe("declaring presence", () => {
  it("is a conflict on an internal event or a query", async () => {
    harness = await startTransport();
    expect(() => harness.bus.createSignal("room:inside", { presence: true })).toThrow(ConflictError);
    expect(() => harness.bus.createSignal("room:inside2", { internal: true, presence: true })).toThrow(/presence is for public events only/);
    expect(() => harness.bus.createQuery("room:query", { internal: false, presence: true } as never)).toThrow(ConflictError);
  });

  it("shows presence: true in describe", async () => {
    await setup();
    const client = await harness.connect();
    const described = (await client.op({ type: "describe" })) as { events: { name: string; presence?: boolean }[] };
    expect(described.events.find((event) => event.name === "room:lobby")?.presence).toBe(true);
    expect(described.events.find((event) => event.name === "room:plain")).not.toHaveProperty("presence");
  });
});
