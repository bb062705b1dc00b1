import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startTcpProxy, type TcpProxy } from "@/test/support/tcp-proxy";
import { startTransport, type Harness } from "@/test/support/transport-harness";
import { waitFor } from "@/test/support/wait-for";
import { EventManager } from "./event-manager";

let harness: Harness;
let manager: EventManager | undefined;
let proxy: TcpProxy | undefined;
afterEach(async () => {
  manager?.close();
  await proxy?.close();
  proxy = undefined;
  await harness?.close();
});

async function setup(throughProxy = false) {
  harness = await startTransport();
  harness.bus.createSignal("model:created", { internal: false });
  harness.bus.createSignal("model:deleted", { internal: false });
  harness.bus.createSignal("model:audit", { internal: true });
  let url = harness.url;
  if (throughProxy) {
    proxy = await startTcpProxy(Number(new URL(harness.url).port));
    url = harness.url.replace(`:${new URL(harness.url).port}`, `:${proxy.port}`);
  }
  // Behind the proxy, the client waits a little before reconnecting: events are published meanwhile.
  manager = new EventManager({ url, WebSocket, backoff: () => (throughProxy ? 300 : 5) });
  return manager;
}

describe("a pattern subscription in the client", () => {
  it("runs a pattern's handler with the concrete name, and a name's handler too, each once per event", async () => {
    const events = await setup();
    const seen: string[] = [];
    events.registerHandler("model:*", (data, { event }) => seen.push(`pattern ${event} ${String(data)}`));
    events.registerHandler("model:created", (data) => seen.push(`name ${String(data)}`));
    await events.subscribe("model:*");
    await events.subscribe("model:created");
    await harness.bus.trigger("model:created", 1);
    await harness.bus.trigger("model:audit", 2);
    await harness.bus.trigger("model:deleted", 3);
    await waitFor(() => seen.length === 3, "three handler calls");
    expect(seen).toEqual(["pattern model:created 1", "name 1", "pattern model:deleted 3"]);
  });

  it("resumes every name after a reconnect, from the last id it saw of each, a name declared meanwhile from its start", async () => {
    const events = await setup(true);
    const seen: unknown[] = [];
    events.registerHandler("model:*", (data, { event }) => seen.push([event, data]));
    await events.subscribe("model:*");
    await harness.bus.trigger("model:created", 1);
    await waitFor(() => seen.length === 1, "the first event");
    const accepted = harness.transport.counters.connectionsAccepted;
    proxy!.cut();
    await harness.bus.trigger("model:created", 2);
    await harness.bus.trigger("model:deleted", 3);
    harness.bus.createSignal("model:renamed", { internal: false });
    await harness.bus.trigger("model:renamed", 4);
    await waitFor(() => seen.length === 4, "the missed events after the reconnect", 5_000);
    expect(harness.transport.counters.connectionsAccepted).toBe(accepted + 1);
    expect(seen).toEqual([
      ["model:created", 1],
      ["model:created", 2],
      ["model:deleted", 3],
      ["model:renamed", 4],
    ]);
  });

  it("refuses presence on a pattern at once", async () => {
    const events = await setup();
    await expect(events.subscribe("model:*", { presence: true })).rejects.toMatchObject({ code: "bad_request" });
  });
});
