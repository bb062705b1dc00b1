import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CloseCode, MAX_NAME_LENGTH, MAX_REF_LENGTH, type ErrorFrame } from "@/lib/events/protocol";
import { startTransport, type Harness, type RawClient } from "@/test/support/transport-harness";
import { waitFor } from "@/test/support/wait-for";

let harness: Harness | undefined;

afterEach(async () => {
  // Whatever a test did to its connection, the server itself keeps serving newcomers.
  try {
    if (harness) {
      const fresh = await harness.connect();
      expect(await fresh.op({ type: "ping" })).toMatchObject({ type: "ok" });
    }
  } finally {
    await harness?.close();
    harness = undefined;
  }
});

async function start(config: Parameters<typeof startTransport>[0] = {}): Promise<Harness> {
  harness = await startTransport(config);
  harness.bus.createSignal("model:created", { internal: false });
  return harness;
}

/** Sends one raw frame and resolves to the next error frame (counting from now). */
async function errorFor(client: RawClient, frame: string | Buffer): Promise<ErrorFrame> {
  const seen = client.frames.length;
  if (Buffer.isBuffer(frame)) client.ws.send(frame, { binary: true });
  else client.send(frame);
  return (await client.next((reply) => reply.type === "error" && client.frames.indexOf(reply) >= seen)) as ErrorFrame;
}

async function stillServes(client: RawClient): Promise<void> {
  expect(await client.op({ type: "ping" })).toMatchObject({ type: "ok" });
  expect(client.closeCode).toBeUndefined();
}

const LONG_NAME = "x".repeat(MAX_NAME_LENGTH + 1);

/** [what, frame, expected ref, a fragment of the message] */
const MALFORMED: [string, string, string | number | null, string | RegExp][] = [
  ["text that is not JSON", "{not json", null, "not JSON"],
  ["an empty text frame", "", null, "not JSON"],
  ["a JSON array", JSON.stringify([{ type: "ping", ref: 1 }]), null, "must be a JSON object"],
  ["a JSON number", "42", null, "must be a JSON object"],
  ["a JSON string", JSON.stringify("ping"), null, "must be a JSON object"],
  ["JSON null", "null", null, "must be a JSON object"],
  ["an op without ref", JSON.stringify({ type: "ping" }), null, 'Missing "ref"'],
  ["a ref that is a boolean", JSON.stringify({ type: "ping", ref: true }), null, '"ref"'],
  ["a ref that is an object", JSON.stringify({ type: "ping", ref: { id: 1 } }), null, '"ref"'],
  ["a ref that is null", JSON.stringify({ type: "ping", ref: null }), null, '"ref"'],
  ["an empty ref", JSON.stringify({ type: "ping", ref: "" }), null, `1–${MAX_REF_LENGTH} characters`],
  ["a ref that is too long", JSON.stringify({ type: "ping", ref: "r".repeat(MAX_REF_LENGTH + 1) }), null, `1–${MAX_REF_LENGTH} characters`],
  ["an op without type", JSON.stringify({ ref: "a" }), "a", 'Missing "type"'],
  ["a type that is not a string", JSON.stringify({ ref: 7, type: 3 }), 7, 'Missing "type"'],
  [
    "an unknown op type",
    JSON.stringify({ ref: "b", type: "subscrbe", event: "model:created" }),
    "b",
    /^Unknown op type "subscrbe": expected one of subscribe, unsubscribe, trigger, request, describe, ping, monitor, presence, connections, disconnect$/,
  ],
  ["a subscribe without event", JSON.stringify({ ref: "c", type: "subscribe" }), "c", 'Missing "event"'],
  ["a subscribe with an empty event", JSON.stringify({ ref: "c", type: "subscribe", event: "" }), "c", 'Missing "event"'],
  ["a subscribe whose event is not a string", JSON.stringify({ ref: "c", type: "subscribe", event: 5 }), "c", 'Missing "event"'],
  ["an unsubscribe without event", JSON.stringify({ ref: "d", type: "unsubscribe" }), "d", 'Missing "event"'],
  ["a trigger without event", JSON.stringify({ ref: "e", type: "trigger", data: 1 }), "e", 'Missing "event"'],
  ["a request without query", JSON.stringify({ ref: "f", type: "request", data: 1 }), "f", 'Missing "query"'],
  ["a request whose query is not a string", JSON.stringify({ ref: "f", type: "request", query: ["a"] }), "f", 'Missing "query"'],
  ["an event name that is too long", JSON.stringify({ ref: "g", type: "subscribe", event: LONG_NAME }), "g", `names have at most ${MAX_NAME_LENGTH}`],
  ["a query name that is too long", JSON.stringify({ ref: "g", type: "request", query: LONG_NAME }), "g", `names have at most ${MAX_NAME_LENGTH}`],
  ["a since that is not a string", JSON.stringify({ ref: "h", type: "subscribe", event: "model:created", since: 12 }), "h", '"since"'],
  ["an empty since", JSON.stringify({ ref: "h", type: "subscribe", event: "model:created", since: "" }), "h", '"since"'],
  ["a since that is too long", JSON.stringify({ ref: "h", type: "subscribe", event: "model:created", since: "1".repeat(129) }), "h", '"since"'],
  ["a timeout that is not an integer", JSON.stringify({ ref: 9, type: "request", query: "q", timeout: 1.5 }), 9, '"timeout"'],
  ["a timeout that is a string", JSON.stringify({ ref: 9, type: "request", query: "q", timeout: "100" }), 9, '"timeout"'],
  ["a timeout of zero", JSON.stringify({ ref: 9, type: "request", query: "q", timeout: 0 }), 9, '"timeout"'],
  ["a timeout that is negative", JSON.stringify({ ref: 9, type: "request", query: "q", timeout: -5 }), 9, '"timeout"'],
  ["a timeout above 600000 ms", JSON.stringify({ ref: 9, type: "request", query: "q", timeout: 600_001 }), 9, '"timeout"'],
  ["a monitor token that is not a string", JSON.stringify({ ref: "m", type: "monitor", token: 123 }), "m", '"token"'],
  ["a monitor op without token", JSON.stringify({ ref: "m", type: "monitor" }), "m", '"token"'],
  ["an empty monitor token", JSON.stringify({ ref: "m", type: "monitor", token: "" }), "m", '"token"'],
];

describe("a malformed frame", () => {
  it.each(MALFORMED)("%s gets bad_request and the connection stays open and serving", async (_what, frame, ref, message) => {
    const h = await start();
    const client = await h.connect();
    const error = await errorFor(client, frame);
    expect(error).toEqual({ type: "error", ref, code: "bad_request", message: expect.any(String) });
    expect(error.message).toMatch(message);
    await stillServes(client);
  });

  it("a binary frame gets bad_request with ref null and the connection stays open and serving", async () => {
    const h = await start();
    const client = await h.connect();
    const error = await errorFor(client, Buffer.from(JSON.stringify({ type: "ping", ref: "bin" })));
    expect(error).toMatchObject({ type: "error", ref: null, code: "bad_request" });
    expect(error.message).toMatch(/Binary frames/);
    await stillServes(client);
  });

  it("a number ref is echoed as a number and a string ref as a string", async () => {
    const h = await start();
    const client = await h.connect();
    client.send({ type: "ping", ref: 0 });
    client.send({ type: "ping", ref: "0" });
    await waitFor(() => client.ofType("ok").length === 2, "two replies");
    expect(client.ofType("ok").map((reply) => reply.ref)).toEqual([0, "0"]);
  });

  it("unknown extra fields are ignored (forward compatibility)", async () => {
    const h = await start();
    const client = await h.connect();
    expect(await client.op({ type: "ping", future: { field: true } })).toEqual({ type: "ok", ref: expect.any(String) });
  });

  it("a subscribe, unsubscribe or request with since or timeout null is read as if the field were absent", async () => {
    const h = await start();
    const client = await h.connect();
    expect(await client.op({ type: "subscribe", event: "model:created", since: null })).toEqual({ type: "ok", ref: expect.any(String), last: expect.stringMatching(/-0$/) });
    expect(await client.op({ type: "request", query: "nope", timeout: null })).toMatchObject({ code: "not_found" });
  });
});

describe("a frame larger than maxPayload", () => {
  it("closes that connection with 1009 while other clients keep receiving events", async () => {
    const h = await start({ maxPayload: 1024 });
    const bystander = await h.connect();
    await bystander.op({ type: "subscribe", event: "model:created" });
    const offender = await h.connect();
    offender.send({ type: "trigger", ref: "big", event: "model:created", data: "x".repeat(2_000) });
    expect(await offender.closed()).toBe(CloseCode.TooLarge);
    expect(offender.frames.some((frame) => frame.type === "ok" || frame.type === "error")).toBe(false);
    const report = await h.bus.trigger("model:created", { after: true });
    expect(await bystander.next((frame) => frame.type === "event")).toEqual({ type: "event", event: "model:created", id: report.id, data: { after: true } });
    await stillServes(bystander);
    await waitFor(() => h.transport.stats().connections === 1, "the offender to be forgotten");
  });

  it("accepts a frame of exactly maxPayload bytes", async () => {
    const h = await start({ maxPayload: 1024 });
    const client = await h.connect();
    const shell = JSON.stringify({ type: "ping", ref: "edge", pad: "" });
    const frame = JSON.stringify({ type: "ping", ref: "edge", pad: "p".repeat(1024 - Buffer.byteLength(shell)) });
    expect(Buffer.byteLength(frame)).toBe(1024);
    client.send(frame);
    expect(await client.next((reply) => reply.type === "ok")).toEqual({ type: "ok", ref: "edge" });
  });
});

describe("a text frame that is not valid UTF-8", () => {
  it("closes that connection with 1007 and the server keeps serving", async () => {
    const h = await start();
    const client = await h.connect();
    client.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect(await client.closed()).toBe(1007);
  });
});

describe("repeated bad frames", () => {
  it("ten within the window are tolerated; the eleventh gets its error and then close 4000", async () => {
    const h = await start();
    const client = await h.connect();
    for (let i = 0; i < 10; i++) client.send("garbage");
    await waitFor(() => client.ofType("error").length === 10, "ten errors");
    await stillServes(client);
    client.send("garbage");
    expect(await client.closed()).toBe(CloseCode.ProtocolAbuse);
    expect(client.ofType("error")).toHaveLength(11);
    expect(client.ofType("error").every((error) => error.code === "bad_request")).toBe(true);
  });

  it("good frames in between do not reset the count", async () => {
    const h = await start();
    const client = await h.connect();
    for (let i = 0; i < 11; i++) {
      client.send({ type: "nope", ref: `bad${i}` });
      client.send({ type: "ping", ref: `good${i}` });
    }
    expect(await client.closed()).toBe(CloseCode.ProtocolAbuse);
  });

  it("ops that are well-formed but fail (not_found) do not count as bad frames", async () => {
    const h = await start();
    const client = await h.connect();
    for (let i = 0; i < 30; i++) client.send({ type: "trigger", ref: i, event: "no:such:event" });
    await waitFor(() => client.ofType("error").length === 30, "thirty errors");
    expect(client.ofType("error").every((error) => error.code === "not_found")).toBe(true);
    await stillServes(client);
  });
});

describe("the rate limit", () => {
  it("refuses ops beyond the burst with rate_limited carrying each op's ref, and the connection stays open", async () => {
    const h = await start({ rateLimit: 5 });
    const client = await h.connect();
    for (let i = 0; i < 15; i++) client.send({ type: "ping", ref: `p${i}` });
    await waitFor(() => client.frames.length === 16, "fifteen replies");
    const replies = client.frames.slice(1) as { type: string; ref: unknown; code?: string; message?: string }[];
    // The burst is twice the rate: ten pass at once, the rest are refused.
    expect(replies.filter((reply) => reply.type === "ok")).toHaveLength(10);
    const refused = replies.filter((reply) => reply.type === "error");
    expect(refused).toHaveLength(5);
    expect(refused.map((reply) => reply.ref).sort()).toEqual(["p10", "p11", "p12", "p13", "p14"]);
    for (const reply of refused) {
      expect(reply.code).toBe("rate_limited");
      expect(reply.message).toMatch(/at most 5 per second/);
    }
    expect(client.closeCode).toBeUndefined();
  });

  it("answers a refused frame with the ref it could read, and null for an unreadable one", async () => {
    const h = await start({ rateLimit: 1 });
    const client = await h.connect();
    client.send({ type: "ping", ref: "a" });
    client.send({ type: "ping", ref: "b" });
    client.send({ type: "nope", ref: "c" });
    client.send("not json");
    await waitFor(() => client.frames.length === 5, "four replies");
    expect(client.frames.slice(3)).toEqual([
      { type: "error", ref: "c", code: "rate_limited", message: expect.any(String) },
      { type: "error", ref: null, code: "rate_limited", message: expect.any(String) },
    ]);
  });

  it("serves the client again once the bucket has refilled", async () => {
    const h = await start({ rateLimit: 5 });
    const client = await h.connect();
    for (let i = 0; i < 12; i++) client.send({ type: "ping", ref: i });
    await waitFor(() => client.ofType("error").length === 2, "two refusals");
    // One token comes back every 200 ms at 5 per second: time itself is the condition here.
    await new Promise((resolve) => setTimeout(resolve, 250));
    await stillServes(client);
  });

  it("closes a client that keeps going past the strikes with 4029", async () => {
    const h = await start({ rateLimit: 5 });
    const client = await h.connect();
    for (let i = 0; i < 40; i++) client.send({ type: "ping", ref: i });
    expect(await client.closed()).toBe(CloseCode.RateLimited);
    // Ten in the burst, then twenty-one refusals in a row: the twenty-first closes.
    expect(client.ofType("ok")).toHaveLength(10);
    expect(client.ofType("error")).toHaveLength(21);
    expect(client.ofType("error").every((error) => error.code === "rate_limited")).toBe(true);
  });

  it("limits each connection on its own: another client is not refused", async () => {
    const h = await start({ rateLimit: 5 });
    const noisy = await h.connect();
    const quiet = await h.connect();
    for (let i = 0; i < 40; i++) noisy.send({ type: "ping", ref: i });
    await noisy.closed();
    await stillServes(quiet);
  });
});

describe("a client that sends ops but never reads its replies", () => {
  it("cannot grow the server's send buffer for it without bound", async () => {
    const h = await start();
    h.bus.query("report:big", (_data: unknown) => "x".repeat(60_000), { internal: false });
    let answered = 0;
    h.bus.observe((record) => {
      if (record.name === "report:big") answered++;
    });
    const serverSockets: Socket[] = [];
    h.server.on("upgrade", (_request, socket) => serverSockets.push(socket as Socket));
    const client = await h.connect();
    // Stop reading: replies pile up in the kernel, then in the server's buffer for this socket.
    (client.ws as unknown as { _socket: Socket })._socket.pause();
    const REQUESTS = 400; // 400 × 60 kB = 24 MB of replies, well within the rate limit
    for (let i = 0; i < REQUESTS; i++) client.send({ type: "request", ref: i, query: "report:big", data: null });
    await waitFor(() => answered === REQUESTS || serverSockets[0]!.destroyed, "the server to handle every request (or give up on the client)", 10_000);
    // A bound of a few MB per connection (the events queue is bounded by EVENTS_EVENT_QUEUE_SIZE;
    // replies must be bounded too), or the server cut the client off as a slow consumer.
    const buffered = serverSockets[0]!.destroyed ? 0 : serverSockets[0]!.writableLength;
    expect(buffered, `${(buffered / 1e6).toFixed(1)} MB held for one client that does not read`).toBeLessThanOrEqual(4 * 1024 * 1024);
    client.terminate();
  });
});
