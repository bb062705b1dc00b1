import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { PROTOCOL_VERSION, SUBPROTOCOL, type WelcomeFrame } from "@/lib/events/protocol";
import { startTransport, type Harness, type RawClient } from "@/test/support/transport-harness";

let harness: Harness;
afterEach(() => harness?.close());

/** The origin a page served by the harness's own HTTP server would send. */
function ownOrigin(h: Harness): string {
  return new URL(h.url).origin.replace(/^ws:/, "http:");
}

async function roundTripsAPing(client: RawClient): Promise<void> {
  expect(await client.op({ type: "ping" })).toMatchObject({ type: "ok" });
}

describe("the welcome frame", () => {
  it("is the first frame and carries protocol 1, the connection id, heartbeat, queue size, instance and start time", async () => {
    const before = Date.now();
    harness = await startTransport({ heartbeatMs: 12_345, queueSize: 7 });
    const client = await harness.connect();
    expect(client.frames).toHaveLength(1);
    const welcome = client.frames[0] as WelcomeFrame;
    expect(welcome).toEqual({
      type: "welcome",
      protocol: PROTOCOL_VERSION,
      connection: expect.any(String),
      heartbeat: 12_345,
      queueSize: 7,
      instance: "test-instance",
      startedAt: harness.transport.startedAt,
    });
    expect(welcome.protocol).toBe(1);
    expect(welcome.connection.length).toBeGreaterThan(0);
    expect(welcome.startedAt).toBeGreaterThanOrEqual(before - 1);
    expect(welcome.startedAt).toBeLessThanOrEqual(Date.now());
  });

  it("gives every connection its own id, and the same instance and start time", async () => {
    harness = await startTransport();
    const [a, b] = await Promise.all([harness.connect(), harness.connect()]);
    const welcomeA = a.frames[0] as WelcomeFrame;
    const welcomeB = b.frames[0] as WelcomeFrame;
    expect(welcomeA.connection).not.toBe(welcomeB.connection);
    expect(welcomeA.instance).toBe(welcomeB.instance);
    expect(welcomeA.startedAt).toBe(welcomeB.startedAt);
  });

  it("names the connection as the trace source of its triggers (client:<connection>)", async () => {
    harness = await startTransport();
    harness.bus.createSignal("model:created", { internal: false });
    const sources: string[] = [];
    harness.bus.observe((record) => sources.push(record.source));
    const client = await harness.connect();
    await client.op({ type: "trigger", event: "model:created", data: 1 });
    expect(sources).toEqual([`client:${(client.frames[0] as WelcomeFrame).connection}`]);
  });
});

describe("subprotocol negotiation", () => {
  it(`selects ${SUBPROTOCOL} when the client offers it`, async () => {
    harness = await startTransport();
    const client = await harness.connect({ protocols: [SUBPROTOCOL] });
    expect(client.ws.protocol).toBe(SUBPROTOCOL);
  });

  it(`selects ${SUBPROTOCOL} among several offered versions`, async () => {
    harness = await startTransport();
    const client = await harness.connect({ protocols: ["wf-events.v2", SUBPROTOCOL, "wf-events.v0"] });
    expect(client.ws.protocol).toBe(SUBPROTOCOL);
    await roundTripsAPing(client);
  });

  it("treats a client that offers no subprotocol as v1 and welcomes it", async () => {
    harness = await startTransport();
    const client = await harness.connect({ protocols: [] });
    expect(client.ws.protocol).toBe("");
    expect(client.frames[0]).toMatchObject({ type: "welcome", protocol: 1 });
    await roundTripsAPing(client);
  });

  it("refuses a client that offers only unknown versions with HTTP 400 at the upgrade", async () => {
    harness = await startTransport();
    await expect(harness.connect({ protocols: ["wf-events.v2"] })).rejects.toThrow("HTTP 400");
    await expect(harness.connect({ protocols: ["wf-events.v2", "graphql-ws"] })).rejects.toThrow("HTTP 400");
    expect(harness.transport.stats().connections).toBe(0);
  });
});

describe("compression", () => {
  it("does not negotiate permessage-deflate, even when the client offers it", async () => {
    harness = await startTransport();
    const ws = new WebSocket(harness.url, [SUBPROTOCOL], { perMessageDeflate: true });
    try {
      const welcome = await new Promise<string>((resolve, reject) => {
        ws.once("message", (data) => resolve(data.toString()));
        ws.once("error", reject);
      });
      expect(ws.extensions).toBe("");
      expect(JSON.parse(welcome)).toMatchObject({ type: "welcome" });
    } finally {
      ws.terminate();
    }
  });
});

describe("origin check", () => {
  it("refuses an Origin that is neither the app's own nor allowed with HTTP 403 (a cross-site page)", async () => {
    harness = await startTransport({ allowedOrigins: ["https://app.example.com"] });
    await expect(harness.connect({ origin: "https://evil.example" })).rejects.toThrow("HTTP 403");
    expect(harness.transport.stats().connections).toBe(0);
  });

  it("refuses the app's host on another port, a look-alike host, the opaque origin null, and a listed origin's other scheme", async () => {
    harness = await startTransport({ allowedOrigins: ["https://app.example.com"] });
    const own = new URL(ownOrigin(harness));
    const otherPort = `http://${own.hostname}:${Number(own.port) === 65_535 ? 1 : Number(own.port) + 1}`;
    for (const origin of [otherPort, "https://app.example.com.evil.example", "null", "http://app.example.com", "https://app.example.com:8443"]) {
      await expect(harness.connect({ origin }), origin).rejects.toThrow("HTTP 403");
    }
  });

  it("accepts the app's own origin (the Host it connected to)", async () => {
    harness = await startTransport();
    const client = await harness.connect({ origin: ownOrigin(harness) });
    expect(client.frames[0]).toMatchObject({ type: "welcome" });
    await roundTripsAPing(client);
  });

  it("accepts an origin listed in allowedOrigins", async () => {
    harness = await startTransport({ allowedOrigins: ["https://app.example.com", "http://localhost:3000"] });
    const a = await harness.connect({ origin: "https://app.example.com" });
    const b = await harness.connect({ origin: "http://localhost:3000" });
    await roundTripsAPing(a);
    await roundTripsAPing(b);
  });

  it("accepts a client that sends no Origin header (a non-browser client)", async () => {
    harness = await startTransport();
    const client = await harness.connect();
    expect(client.frames[0]).toMatchObject({ type: "welcome" });
    await roundTripsAPing(client);
  });

  it("checks the origin before the subprotocol: a cross-site page offering an unknown version gets 403", async () => {
    harness = await startTransport();
    await expect(harness.connect({ origin: "https://evil.example", protocols: ["wf-events.v9"] })).rejects.toThrow("HTTP 403");
  });
});

describe("after a refused upgrade", () => {
  it("keeps serving existing and new clients", async () => {
    harness = await startTransport();
    harness.bus.createSignal("model:created", { internal: false });
    const existing = await harness.connect();
    await existing.op({ type: "subscribe", event: "model:created" });
    await expect(harness.connect({ origin: "https://evil.example" })).rejects.toThrow("HTTP 403");
    await expect(harness.connect({ protocols: ["wf-events.v2"] })).rejects.toThrow("HTTP 400");
    const fresh = await harness.connect();
    await roundTripsAPing(fresh);
    const report = await harness.bus.trigger("model:created", { id: 1 });
    expect(await existing.next((frame) => frame.type === "event")).toEqual({ type: "event", event: "model:created", id: report.id, data: { id: 1 } });
    expect(harness.transport.stats().connections).toBe(2);
  });
});
