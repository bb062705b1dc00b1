import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SUBPROTOCOL } from "@/lib/events/protocol";
import { startAppServer, type AppServer } from "@/test/support/app-server";
import { openDescriptors, rawRequest, upgradeRequest } from "@/test/support/raw-http";
import { waitFor } from "@/test/support/wait-for";

/** Opens a /ws/events connection with the given headers; resolves to the open socket or the refusal's status. */
function openSocket(url: string, headers: Record<string, string> = {}, localAddress?: string): Promise<WebSocket | number> {
  const ws = new WebSocket(`${url.replace("http", "ws")}/ws/events`, [SUBPROTOCOL], { headers, localAddress });
  ws.on("error", () => {});
  return new Promise((resolve) => {
    ws.once("message", () => resolve(ws));
    ws.once("unexpected-response", (_request, response) => resolve(response.statusCode!));
  });
}

describe("upgrades on a production server", () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer();
  });
  afterAll(() => server?.stop());

  it("answers every upgrade to another path with 404 and closes its socket, even when the client never does", async () => {
    for (const path of ["/nope", "/ws/events/", "/ws", "/_next/webpack-hmr", "/_next/hmr?id=1"]) {
      const response = await rawRequest(server.port, upgradeRequest(path, `127.0.0.1:${server.port}`));
      expect({ path, status: response.status, closedByServer: response.closedByServer }).toEqual({ path, status: 404, closedByServer: true });
    }
  });

  it("leaves no socket open after 1,000 such upgrades", async () => {
    const pid = server.process.pid!;
    const before = await openDescriptors(pid);
    for (let batch = 0; batch < 10; batch++) {
      const responses = await Promise.all(
        Array.from({ length: 100 }, (_, i) => rawRequest(server.port, upgradeRequest(`/nope-${batch}-${i}`, `127.0.0.1:${server.port}`), { localAddress: `127.0.1.${batch + 1}` })),
      );
      expect(responses.every((response) => response.status === 404 && response.closedByServer)).toBe(true);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await openDescriptors(pid)).toBeLessThanOrEqual(before + 2);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("logs refused upgrades once per reason and window, not once each", async () => {
    const refusedLines = () => server.records().filter((record) => record.msg === "Refused an upgrade").length;
    expect(refusedLines()).toBeLessThanOrEqual(2);
  });
});

describe("sockets per address", () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer({ env: { EVENTS_MAX_CONNECTIONS_PER_IP: "5" } });
  });
  afterAll(() => server?.stop());

  it("refuse an address's WebSocket past EVENTS_MAX_CONNECTIONS_PER_IP with 429 and Retry-After, and serve other addresses", async () => {
    const open: WebSocket[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const socket = await openSocket(server.url, {}, "127.0.2.1");
        expect(socket).toBeInstanceOf(WebSocket);
        open.push(socket as WebSocket);
      }
      expect(await openSocket(server.url, {}, "127.0.2.1")).toBe(429);
      const other = await openSocket(server.url, {}, "127.0.2.2");
      expect(other).toBeInstanceOf(WebSocket);
      open.push(other as WebSocket);
    } finally {
      for (const socket of open) socket.terminate();
    }
  });

  it("close an address's idle sockets past its WebSockets plus 32 at once, with a 429, while other addresses are served", async () => {
    const { connect } = await import("node:net");
    let closed = 0;
    const answers: string[] = [];
    const sockets = Array.from({ length: 60 }, () => {
      const socket = connect({ port: server.port, host: "127.0.0.1", localAddress: "127.0.2.3" });
      socket.on("data", (chunk) => answers.push(chunk.toString().split("\r\n")[0]!));
      socket.on("error", () => {});
      socket.on("close", () => closed++);
      return socket;
    });
    try {
      await waitFor(() => closed >= 60 - (5 + 32), "the sockets past the limit to be closed");
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(closed).toBe(60 - (5 + 32));
      expect(new Set(answers)).toEqual(new Set(["HTTP/1.1 429 Too Many Requests"]));
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });
});

describe("the Host allowlist in production", () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer({ env: { EVENTS_ALLOWED_HOSTS: "app.example.com,127.0.0.1" } });
  });
  afterAll(() => server?.stop());

  it("refuses pages, routes and WebSockets for any other Host with 403, naming the key to set", async () => {
    for (const path of ["/", "/api/models", "/events.js", "/metrics"]) {
      const response = await rawRequest(server.port, `GET ${path} HTTP/1.1\r\nHost: evil.example:${server.port}\r\nConnection: close\r\n\r\n`);
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
      expect(response.body).toContain("EVENTS_ALLOWED_HOSTS");
    }
    const upgrade = await rawRequest(server.port, upgradeRequest("/ws/events", `evil.example:${server.port}`, { Origin: `http://evil.example:${server.port}` }));
    expect(upgrade).toMatchObject({ status: 403, closedByServer: true });
  });

  it("serves the listed hosts, and the health probes whatever the Host", async () => {
    expect((await rawRequest(server.port, `GET /events.js HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n\r\n`)).status).toBe(200);
    expect((await rawRequest(server.port, `GET /healthz HTTP/1.1\r\nHost: 10.1.2.3:3000\r\nConnection: close\r\n\r\n`)).status).toBe(200);
    expect((await rawRequest(server.port, `GET /readyz HTTP/1.1\r\nHost: 10.1.2.3:3000\r\nConnection: close\r\n\r\n`)).status).toBe(200);
    expect(await openSocket(server.url)).toBeInstanceOf(WebSocket);
  });
});

describe("the Host allowlist in development", () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer({ env: { NODE_ENV: "development" }, timeoutMs: 120_000 });
  }, 150_000);
  afterAll(() => server?.stop());

  it("serves loopback names only: a rebound name gets 403 for the token route and the WebSocket", async () => {
    const evil = `evil.example:${server.port}`;
    const token = await rawRequest(server.port, `GET /api/events/monitor-token HTTP/1.1\r\nHost: ${evil}\r\nConnection: close\r\n\r\n`);
    expect(token.status).toBe(403);
    expect(token.body).toContain("add evil.example to EVENTS_ALLOWED_HOSTS");
    expect(await rawRequest(server.port, upgradeRequest("/ws/events", evil, { Origin: `http://${evil}` }))).toMatchObject({ status: 403, closedByServer: true });
    expect((await rawRequest(server.port, `GET /events.js HTTP/1.1\r\nHost: localhost:${server.port}\r\nConnection: close\r\n\r\n`)).status).toBe(200);
    expect(await openSocket(server.url)).toBeInstanceOf(WebSocket);
  });

  it("answers an upgrade to another path with 404 in development too", async () => {
    expect(await rawRequest(server.port, upgradeRequest("/nope", `localhost:${server.port}`))).toMatchObject({ status: 404, closedByServer: true });
  });
});
