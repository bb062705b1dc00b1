import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startTransport, type Harness } from "@/test/support/transport-harness";
import { waitFor } from "@/test/support/wait-for";
import { BadRequestError, ForbiddenError } from "../shared/errors";
import { EventManager } from "./event-manager";
import type { PresenceMember } from "./index";

let harness: Harness;
const managers: EventManager[] = [];
afterEach(async () => {
  for (const manager of managers.splice(0)) manager.close();
  await harness?.close();
});

/** A real transport with a presence-tracked room, naming connections by their `x-user` header. */
async function setup() {
  harness = await startTransport();
  harness.bus.createSignal("room:lobby", { internal: false, presence: true });
  harness.bus.createSignal("model:created", { internal: false });
  harness.bus.identify((request) => {
    const user = request.headers["x-user"];
    return typeof user === "string" ? { name: user } : null;
  });
}

/** A page of its own (one connection each): managers of one URL share a socket, so each gets a distinct query string. */
function page(user?: string): EventManager {
  const url = `${harness.url}?page=${managers.length}`;
  const headers = user ? { "x-user": user } : {};
  const manager = new EventManager({ url, WebSocket: class extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  } as unknown as typeof WebSocket, backoff: () => 5 });
  managers.push(manager);
  return manager;
}

const names = (members: readonly PresenceMember[]) => members.map((member) => member.info?.name ?? "anonymous");

describe("presence in the client", () => {
  it("hears who is there (itself too), then who comes and goes, through onJoin and onLeave", async () => {
    await setup();
    const ada = page("Ada");
    await ada.subscribe("room:lobby");
    const bob = page("Bob");
    const joined: PresenceMember[] = [];
    const left: PresenceMember[] = [];
    await bob.subscribe("room:lobby", { onJoin: (member) => joined.push(member), onLeave: (member) => left.push(member) });
    await waitFor(() => joined.length === 2, "who was there");
    expect(names(joined)).toEqual(["Ada", "Bob"]);

    const anonymous = page();
    await anonymous.subscribe("room:lobby");
    await waitFor(() => joined.length === 3, "the anonymous join");
    expect(joined[2]).toEqual({ connection: expect.any(String) });
    ada.close();
    await waitFor(() => left.length === 1, "Ada's leave");
    expect(names(left)).toEqual(["Ada"]);
  });

  it("lists the members with presence(name)", async () => {
    await setup();
    const ada = page("Ada");
    await ada.subscribe("room:lobby");
    const bob = page("Bob");
    await bob.subscribe("room:lobby");
    const list = await bob.presence("room:lobby");
    expect(list.count).toBe(2);
    expect(names(list.members).sort()).toEqual(["Ada", "Bob"]);
    expect(list.truncated).toBeUndefined();
  });

  it("stops calling onJoin after unsubscribe", async () => {
    await setup();
    const watcher = page("Watcher");
    const joined: PresenceMember[] = [];
    await watcher.subscribe("room:lobby", { onJoin: (member) => joined.push(member) });
    await waitFor(() => joined.length === 1, "its own join");
    await watcher.unsubscribe("room:lobby");
    const late = page("Late");
    await late.subscribe("room:lobby");
    await late.presence("room:lobby");
    expect(names(joined)).toEqual(["Watcher"]);
  });

  it("refuses presence on an untracked name with forbidden, and on a pattern with bad_request", async () => {
    await setup();
    const client = page();
    await expect(client.presence("model:created")).rejects.toThrow(ForbiddenError);
    await expect(client.subscribe("model:created", { presence: true })).rejects.toThrow(ForbiddenError);
    await expect(client.subscribe("room:*", { onJoin: () => {} })).rejects.toThrow(BadRequestError);
  });
});
