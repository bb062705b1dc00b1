import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "@/test/support/wait-for";
import { createForwarder, type Delivery, type DeliveryResult } from "./forwarder";

interface Target {
  url: string;
  bodies: unknown[];
  server: Server;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A local HTTP server that answers each POST with `status(n)` after `delayMs(n)`, n counting from 0. */
async function startTarget(options: { status?: (n: number) => number; delayMs?: (n: number) => number; port?: number } = {}): Promise<Target> {
  const bodies: unknown[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let text = "";
    request.on("data", (chunk) => (text += chunk));
    request.on("end", () => {
      const n = bodies.length;
      bodies.push(JSON.parse(text));
      setTimeout(() => response.writeHead(options.status?.(n) ?? 200).end("ok"), options.delayMs?.(n) ?? 0);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, bodies, server };
}

const event = (n: number): Delivery => ({ name: "model:created", id: `e-${n}`, data: { n } });

function collecting(url: string, overrides: Partial<Parameters<typeof createForwarder>[0]> = {}) {
  const results: DeliveryResult[] = [];
  const retries: string[] = [];
  const dropped: number[] = [];
  const forwarder = createForwarder({
    url,
    onResult: (result) => results.push(result),
    onRetry: (delivery, error) => retries.push(`${delivery.id} ${error}`),
    onDropped: (count) => dropped.push(count),
    backoff: () => 20,
    ...overrides,
  });
  return { forwarder, results, retries, dropped };
}

describe("the forwarder", () => {
  it("posts { name, id, data } one at a time, in the order the events came, even when earlier ones answer slowly", async () => {
    const target = await startTarget({ delayMs: (n) => (n === 0 ? 80 : 0) });
    const { forwarder, results } = collecting(target.url);
    for (let n = 0; n < 5; n++) forwarder.push(event(n));
    await waitFor(() => results.length === 5, "five deliveries");
    expect(target.bodies).toEqual([0, 1, 2, 3, 4].map((n) => ({ name: "model:created", id: `e-${n}`, data: { n } })));
    expect(results.map((result) => result.status)).toEqual([200, 200, 200, 200, 200]);
    forwarder.close();
  });

  it("reports a non-2xx answer and goes on with the next event", async () => {
    const target = await startTarget({ status: (n) => (n === 1 ? 500 : 204) });
    const { forwarder, results, retries } = collecting(target.url);
    for (let n = 0; n < 3; n++) forwarder.push(event(n));
    await waitFor(() => results.length === 3, "three deliveries");
    expect(results.map((result) => [result.delivery.id, result.status, result.ok])).toEqual([
      ["e-0", 204, true],
      ["e-1", 500, false],
      ["e-2", 204, true],
    ]);
    expect(retries).toEqual([]);
    forwarder.close();
  });

  it("retries the same event with backoff while the target cannot be reached, then delivers in order", async () => {
    const probe = await startTarget();
    const port = Number(new URL(probe.url).port);
    await new Promise((resolve) => probe.server.close(resolve));
    const { forwarder, results, retries } = collecting(probe.url);
    forwarder.push(event(0));
    forwarder.push(event(1));
    await waitFor(() => retries.length >= 2, "two retries");
    expect(retries[0]).toMatch(/^e-0 connect ECONNREFUSED/);
    const target = await startTarget({ port });
    await waitFor(() => results.length === 2, "both deliveries");
    expect(target.bodies.map((body) => (body as Delivery).id)).toEqual(["e-0", "e-1"]);
    forwarder.close();
  });

  it("gives up on an event the target does not answer in time, and goes on", async () => {
    const target = await startTarget({ delayMs: (n) => (n === 0 ? 2_000 : 0) });
    const { forwarder, results } = collecting(target.url, { timeoutMs: 100 });
    forwarder.push(event(0));
    forwarder.push(event(1));
    await waitFor(() => results.length === 2, "two results");
    expect(results[0]).toMatchObject({ status: null, error: "no answer within 0.1 s" });
    expect(results[1]).toMatchObject({ status: 200 });
    forwarder.close();
  });

  it("keeps at most maxQueued waiting events, dropping the oldest waiting ones (never the one in flight)", async () => {
    const target = await startTarget({ delayMs: (n) => (n === 0 ? 100 : 0) });
    const { forwarder, results, dropped } = collecting(target.url, { maxQueued: 2 });
    for (let n = 0; n < 5; n++) forwarder.push(event(n));
    await waitFor(() => results.length === 3, "three deliveries");
    expect(dropped.reduce((sum, count) => sum + count, 0)).toBe(2);
    expect(target.bodies.map((body) => (body as Delivery).id)).toEqual(["e-0", "e-3", "e-4"]);
    forwarder.close();
  });

  it("sends nothing more once closed, and counts what was left", async () => {
    const target = await startTarget({ delayMs: () => 200 });
    const { forwarder } = collecting(target.url);
    for (let n = 0; n < 3; n++) forwarder.push(event(n));
    await waitFor(() => target.bodies.length === 1, "the first post");
    forwarder.close();
    expect(forwarder.pending).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(target.bodies).toHaveLength(1);
  });
});
