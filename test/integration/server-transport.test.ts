import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SUBPROTOCOL } from "@/lib/events/protocol";
import { startAppServer, type AppServer } from "@/test/support/app-server";
import { RawClient } from "@/test/support/transport-harness";

const wsUrl = (server: AppServer) => `${server.url.replace("http", "ws")}/ws/events`;

describe("server.ts with events enabled", () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer();
  });
  afterAll(() => server?.stop());

  it("serves the browser client at /events.js, revalidated by ETag", async () => {
    const first = await fetch(`${server.url}/events.js`);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const code = await first.text();
    expect(code).toContain("wf");
    const again = await fetch(`${server.url}/events.js`, { headers: { "if-none-match": first.headers.get("etag")! } });
    expect(again.status).toBe(304);
  });

  it("injects the client into every page", async () => {
    expect(await (await fetch(server.url)).text()).toMatch(/<script nonce="[^"]+" src="\/events\.js"><\/script>/);
  });

  it("mounts /ws/events and speaks protocol v1 there", async () => {
    const client = await RawClient.open(wsUrl(server));
    expect(client.frames[0]).toMatchObject({ type: "welcome", protocol: 1 });
    expect(await client.op({ type: "request", query: "model:count" })).toMatchObject({ code: "not_found" });
    client.terminate();
  });

  it("refuses a cross-site origin at the upgrade with 403", async () => {
    await expect(RawClient.open(wsUrl(server), { origin: "https://evil.example" })).rejects.toThrow("HTTP 403");
  });
});

describe("server.ts on SIGTERM", () => {
  it("closes sockets with 1001 and exits 0 (in-flight ops are covered by the transport's shutdown tests)", async () => {
    const server = await startAppServer();
    const client = await RawClient.open(wsUrl(server));
    await client.op({ type: "subscribe", event: "model:created" });
    const exit = server.stop("SIGTERM");
    expect(await client.closed(10_000)).toBe(1001);
    expect(await exit).toBe(0);
    expect(server.lines.join("\n")).toMatch(/Shutting down/);
  });
});

describe("server.ts with EXT_EVENTS=0", () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer({ env: { EXT_EVENTS: "0" } });
  });
  afterAll(() => server?.stop());

  it("mounts no socket: the upgrade is refused with 404", async () => {
    const ws = new WebSocket(wsUrl(server), [SUBPROTOCOL]);
    const status = await new Promise<number | undefined>((resolve) => {
      ws.once("unexpected-response", (_req, res) => resolve(res.statusCode));
      ws.once("open", () => resolve(undefined));
      ws.once("error", () => {});
    });
    expect(status).toBe(404);
  });

  it("injects no client", async () => {
    expect(await (await fetch(server.url)).text()).not.toContain("/events.js");
  });

  it("keeps the library working in-process: the route still triggers and the handler logs", async () => {
    const response = await fetch(`${server.url}/api/models`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ value: "offline" }) });
    expect(response.status).toBe(200);
    await server.waitForRecord((record) => record.event === "model:created");
  });
});
