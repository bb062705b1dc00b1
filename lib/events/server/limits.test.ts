import type { IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { Logger } from "@/lib/events/core/logger";
import { SUBPROTOCOL } from "@/lib/events/protocol";
import { RefusalLog } from "@/lib/events/server/refusal-log";
import { startTransport, type Harness } from "@/test/support/transport-harness";
import { waitFor } from "@/test/support/wait-for";

let harness: Harness;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await harness?.close();
});

type Outcome = { opened: WebSocket } | { refused: number; retryAfter: string | undefined; body: string };

/** Opens a connection from a given loopback address (127.0.0.0/8 all reach the harness). */
function open(localAddress = "127.0.0.1", headers: Record<string, string> = {}): Promise<Outcome> {
  const ws = new WebSocket(harness.url, [SUBPROTOCOL], { localAddress, perMessageDeflate: false, headers });
  sockets.push(ws);
  ws.on("error", () => {});
  return new Promise((resolve) => {
    ws.once("message", () => resolve({ opened: ws })); // the welcome frame
    ws.once("unexpected-response", (_request, response: IncomingMessage) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => resolve({ refused: response.statusCode!, retryAfter: response.headers["retry-after"], body }));
    });
  });
}

function capturingLogger(): Logger & { lines: { fields: Record<string, unknown>; message: string }[] } {
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  const push = (fields: Record<string, unknown>, message: string) => void lines.push({ fields, message });
  return { lines, error: push, warn: push, info: () => {}, debug: () => {} };
}

describe("connection limits", () => {
  it("refuse an address's connection past EVENTS_MAX_CONNECTIONS_PER_IP with 429 and a Retry-After, and serve other addresses", async () => {
    harness = await startTransport({ maxConnectionsPerIp: 3 });
    for (let i = 0; i < 3; i++) expect(await open("127.0.0.2")).toHaveProperty("opened");
    const refused = await open("127.0.0.2");
    expect(refused).toMatchObject({ refused: 429, retryAfter: expect.stringMatching(/^\d+$/) });
    expect("body" in refused && refused.body).toContain("EVENTS_MAX_CONNECTIONS_PER_IP");
    expect(await open("127.0.0.3")).toHaveProperty("opened");
    expect(harness.transport.refusals.totals.max_connections_per_ip).toBe(1);
  });

  it("give an address its place back when one of its connections closes", async () => {
    harness = await startTransport({ maxConnectionsPerIp: 1 });
    const first = await open("127.0.0.2");
    expect(await open("127.0.0.2")).toHaveProperty("refused", 429);
    if (!("opened" in first)) throw new Error("expected the first connection to open");
    first.opened.close();
    await waitFor(async () => "opened" in (await open("127.0.0.2")), "a new place for the address");
  });

  it("refuse every address with 503 and a Retry-After once the process holds EVENTS_MAX_CONNECTIONS", async () => {
    harness = await startTransport({ maxConnections: 2 });
    expect(await open("127.0.0.2")).toHaveProperty("opened");
    expect(await open("127.0.0.3")).toHaveProperty("opened");
    const refused = await open("127.0.0.4");
    expect(refused).toMatchObject({ refused: 503, retryAfter: expect.stringMatching(/^\d+$/) });
    expect("body" in refused && refused.body).toContain("EVENTS_MAX_CONNECTIONS");
    expect(harness.transport.stats().connections).toBe(2);
  });

  it("hold a place for a handshake that never completes only as long as its socket is open", async () => {
    harness = await startTransport({ maxConnectionsPerIp: 1 });
    const bad = new WebSocket(harness.url, ["not-our-protocol"]);
    bad.on("error", () => {});
    await new Promise((resolve) => bad.once("unexpected-response", resolve));
    expect(await open("127.0.0.1")).toHaveProperty("opened");
  });
});

describe("the per-address op budget", () => {
  it("is shared by all connections of an address: opening more connections buys no more ops", async () => {
    harness = await startTransport({ rateLimit: 1_000, rateLimitPerIp: 10 });
    const clients = await Promise.all(Array.from({ length: 5 }, () => harness.connect()));
    let ok = 0;
    let limited = 0;
    const replies = await Promise.all(clients.flatMap((client) => Array.from({ length: 20 }, () => client.op({ type: "ping" }))));
    for (const reply of replies) {
      if (reply.type === "ok") ok++;
      else if (reply.code === "rate_limited") limited++;
    }
    // A burst of twice the rate, whichever connection sends; time passing in between adds a little.
    expect(ok).toBeGreaterThanOrEqual(20);
    expect(ok).toBeLessThan(30);
    expect(limited).toBe(100 - ok);
    expect(replies.find((reply) => reply.code === "rate_limited")?.message).toBe("Too many ops from your address: at most 10 per second across its connections");
  });
});

describe("refusal logs", () => {
  it("clip header values to 200 characters and summarise repeated refusals in one line per window", async () => {
    const logger = capturingLogger();
    const refusals = new RefusalLog(logger, 60_000);
    harness = await startTransport({}, {}, logger, { refusals });
    const origin = `https://${"a".repeat(8_000)}.example`;
    for (let i = 0; i < 50; i++) expect(await open("127.0.0.1", { origin })).toHaveProperty("refused", 403);
    expect(logger.lines).toHaveLength(1);
    const serialized = JSON.stringify(logger.lines);
    expect(serialized.length).toBeLessThan(1_500);
    expect(logger.lines[0]!.fields).toMatchObject({ reason: "origin", status: 403 });
    refusals.flush();
    expect(logger.lines).toHaveLength(2);
    expect(logger.lines[1]!.message).toBe("Refused 49 more in the last 60 s (origin 49)");
    expect(refusals.totals.origin).toBe(50);
  });
});
