import { describe, expect, it, vi } from "vitest";
import { deferred, waitFor } from "@/test/support/wait-for";
import { ConfigError, DisconnectedError } from "../shared/errors";
import { SUBPROTOCOL } from "../protocol/frames";
import { WebSocket } from "ws";
import { EventManager } from "./event-manager";
import { clientHarness } from "@/test/support/client-harness";

const harness = clientHarness();

describe("connecting", () => {
  it("offers the wf-events.v1 subprotocol", async () => {
    const server = await harness.start();
    harness.manager();
    const connection = await waitFor(() => server.connections[0], "a connection");
    expect(connection.offered).toEqual([SUBPROTOCOL]);
  });

  it("is connecting until the welcome, then connected with what the welcome said", async () => {
    await harness.start({ heartbeat: 30_000 });
    const events = harness.manager();
    const states = harness.states(events);
    expect(events.state).toBe("connecting");
    expect(events.stateDetail.reason).toBe("open");
    await waitFor(() => events.state === "connected", "connected");
    expect(states).toEqual([
      { state: "connected", reason: "welcome", connection: "c1", instance: "test-instance", startedAt: 1_700_000_000_000, heartbeat: 30_000 },
    ]);
    expect(events.stateDetail.connection).toBe("c1");
  });

  it("retries a socket that gets no welcome within connectTimeout", async () => {
    const server = await harness.start();
    server.welcoming = false;
    const events = harness.manager({ connectTimeout: 50 });
    const states = harness.states(events);
    await waitFor(() => states.find((change) => change.reason === "connect-timeout"), "a connect timeout");
    expect(states[0]).toMatchObject({ state: "reconnecting", reason: "connect-timeout", attempt: 0 });
    server.welcoming = true;
    await waitFor(() => events.state === "connected", "connected after the retry");
    expect(server.connections.length).toBeGreaterThanOrEqual(2);
  });

  it("needs a url outside a browser, and says so", () => {
    expect(() => new EventManager({ WebSocket })).toThrow(ConfigError);
    expect(() => new EventManager({ WebSocket })).toThrow('EventManager option "url" is required outside a browser');
  });

  it("refuses a url that is not ws:// or wss://", () => {
    expect(() => new EventManager({ url: "http://localhost/ws/events", WebSocket })).toThrow(/"http:\/\/localhost\/ws\/events": expected a ws:\/\/ or wss:\/\/ URL/);
  });

  it("refuses a non-positive requestTimeout, naming the option and the value", () => {
    expect(() => new EventManager({ url: "ws://localhost/ws/events", WebSocket, requestTimeout: 0 })).toThrow(
      'EventManager option "requestTimeout" is 0: expected a positive number of ms',
    );
  });

  it("opens sockets through createSocket when given one", async () => {
    const server = await harness.start();
    const createSocket = vi.fn((url: string, protocols: string[]) => new WebSocket(url, protocols));
    const events = harness.manager({ WebSocket: undefined, createSocket });
    await waitFor(() => events.state === "connected", "connected");
    expect(createSocket).toHaveBeenCalledWith(server.url, [SUBPROTOCOL]);
  });
});

describe("reconnecting", () => {
  it("reconnects after a network cut, naming the reason and the delay", async () => {
    const server = await harness.start();
    const events = harness.manager({ backoff: () => 20 });
    await waitFor(() => events.state === "connected", "connected");
    const states = harness.states(events);
    server.dropAll();
    await waitFor(() => states.length === 2, "reconnecting, then connected");
    expect(states).toEqual([
      { state: "reconnecting", reason: "network", closeCode: 1006, retryInMs: 20, attempt: 0 },
      expect.objectContaining({ state: "connected", reason: "welcome", connection: "c2" }),
    ]);
  });

  it.each([1001, 1011, 4000, 4008, 4029])("reconnects after close code %i", async (code) => {
    const server = await harness.start();
    const events = harness.manager();
    await waitFor(() => events.state === "connected", "connected");
    const states = harness.states(events);
    server.closeAll(code, "bye");
    await waitFor(() => server.connections.length === 2 && events.state === "connected", "connected again");
    expect(states[0]).toMatchObject({ state: "reconnecting", reason: "closed-by-server", closeCode: code, closeReason: "bye" });
  });

  it("does not reconnect after 1008: the state is closed with reason policy", async () => {
    const server = await harness.start();
    const backoff = vi.fn(() => 5);
    const events = harness.manager({ backoff });
    await waitFor(() => events.state === "connected", "connected");
    const states = harness.states(events);
    server.closeAll(1008, "origin not allowed");
    await waitFor(() => events.state === "closed", "closed");
    expect(states).toEqual([{ state: "closed", reason: "policy", closeCode: 1008, closeReason: "origin not allowed" }]);
    // The retry would be scheduled in the same turn as the close: no backoff asked means none is coming.
    expect(backoff).not.toHaveBeenCalled();
    await expect(events.trigger("x")).rejects.toThrow(DisconnectedError);
    await expect(events.trigger("x")).rejects.toThrow('Trigger "x" failed: the connection is closed (policy, close code 1008) and does not reconnect');
    expect(server.connections).toHaveLength(1);
  });

  it("does not reconnect after the server closes with 1000", async () => {
    const server = await harness.start();
    const events = harness.manager();
    await waitFor(() => events.state === "connected", "connected");
    server.closeAll(1000);
    await waitFor(() => events.state === "closed", "closed");
    expect(events.stateDetail).toEqual({ reason: "closed-by-server", closeCode: 1000 });
  });

  it("a new manager after a terminal close opens a fresh connection", async () => {
    const server = await harness.start();
    const first = harness.manager();
    await waitFor(() => first.state === "connected", "connected");
    server.closeAll(1008);
    await waitFor(() => first.state === "closed", "closed");
    const second = harness.manager();
    await waitFor(() => second.state === "connected", "the new manager connected");
    expect(server.connections).toHaveLength(2);
    expect(first.state).toBe("closed");
  });

  it("asks the backoff for increasing attempts while the server is away, and starts over after a welcome", async () => {
    const server = await harness.start();
    const backoff = vi.fn(() => 5);
    const events = harness.manager({ backoff, connectTimeout: 30 });
    await waitFor(() => events.state === "connected", "connected");
    server.welcoming = false; // every retry now times out before a welcome
    server.dropAll();
    await waitFor(() => backoff.mock.calls.length >= 3, "three retries");
    expect(backoff.mock.calls.slice(0, 3)).toEqual([[0], [1], [2]]);
    server.welcoming = true;
    await waitFor(() => events.state === "connected", "connected again");
    backoff.mockClear();
    server.dropAll();
    await waitFor(() => backoff.mock.calls.length >= 1, "a retry");
    expect(backoff.mock.calls[0]).toEqual([0]);
    await waitFor(() => events.state === "connected", "connected again");
  });

  it("falls back to full jitter when the backoff option throws", async () => {
    const server = await harness.start();
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const events = harness.manager({
      backoff: () => {
        throw new Error("broken backoff");
      },
    });
    await waitFor(() => events.state === "connected", "connected");
    server.dropAll();
    await waitFor(() => server.connections.length === 2 && events.state === "connected", "connected again", 2_000);
    expect(error).toHaveBeenCalledWith(expect.stringContaining("The backoff option threw"), expect.any(Error));
    error.mockRestore();
  });

  it("closes for good when the server speaks another protocol version", async () => {
    await harness.start({ protocol: 2 });
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const events = harness.manager();
    await waitFor(() => events.state === "closed", "closed");
    expect(events.stateDetail.reason).toBe("protocol");
    expect(error).toHaveBeenCalledWith(expect.stringContaining("The server speaks protocol 2"));
    error.mockRestore();
  });

  it("tells state listeners that throw nothing they can break", async () => {
    await harness.start();
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const events = harness.manager();
    const later = deferred();
    const off = events.onStateChange(() => {
      throw new Error("listener bug");
    });
    events.onStateChange((state) => state === "connected" && later.resolve());
    await later.promise;
    off();
    expect(error).toHaveBeenCalledWith(expect.stringContaining("A state listener threw"), expect.any(Error));
    error.mockRestore();
  });
});
