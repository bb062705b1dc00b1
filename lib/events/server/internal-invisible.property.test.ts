import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { ServerFrame, TraceFrame, WelcomeFrame } from "@/lib/events/protocol";
import { createMonitorToken } from "@/lib/events/server";
import { startTransport, TEST_SECRET, type Harness, type RawClient } from "@/test/support/transport-harness";
import { waitFor } from "@/test/support/wait-for";

// ── the registry both servers share, and what only the real one has ───────────

const PUBLIC_EVENTS = ["model:created", "model:updated", "chat:message", "room:lobby"] as const;
const PUBLIC_QUERIES = ["model:count", "model:echo"] as const;
// Internal names sit close to public ones on purpose ("chat:messages", "model:counts"): a "did you
// mean" that looked at every declared name would suggest them. None is a substring of a public name.
const INTERNAL_EVENTS = ["audit:login", "billing:charged", "chat:messages"] as const;
const INTERNAL_QUERIES = ["secrets:get", "billing:total", "model:counts"] as const;
const PUBLIC_NAMES: readonly string[] = [...PUBLIC_EVENTS, ...PUBLIC_QUERIES];
const INTERNAL_NAMES: readonly string[] = [...INTERNAL_EVENTS, ...INTERNAL_QUERIES];

/**
 * Declares the public names (with handlers that behave the same on both servers) and, when
 * `withInternals`, the internal ones, which the public handlers then use behind the scenes.
 */
function declare(h: Harness, withInternals: boolean): void {
  const bus = h.bus;
  if (withInternals) {
    bus.event("audit:login", (_entry: unknown) => {});
    bus.event("billing:charged", (_charge: unknown) => {
      throw new Error("billing:charged failed while asking secrets:get");
    });
    bus.createSignal("chat:messages");
    bus.query("secrets:get", (_key: unknown) => ({ secret: "billing:total" }));
    bus.query("billing:total", (_data: unknown) => 42);
    bus.query("model:counts", (_data: unknown) => [1, 2, 3]);
  }
  bus.event("model:created", withInternals ? (model: unknown) => bus.trigger("audit:login", { model }).then(() => undefined) : (_model: unknown) => {}, { internal: false });
  bus.createSignal("model:updated", { internal: false, description: "A model changed" });
  bus.createSignal("chat:message", { internal: false, schema: z.object({ text: z.string().max(100) }) });
  bus.createSignal("room:lobby", { internal: false, presence: true });
  bus.query("model:count", withInternals ? async (_data: unknown) => ((await bus.request("billing:total")) as number) - 39 : (_data: unknown) => 3, { internal: false });
  bus.query("model:echo", (data: unknown) => ({ echo: data ?? null }), { internal: false });
}

/** True when `text` names any internal name. */
function mentionsInternal(text: string): string | undefined {
  return INTERNAL_NAMES.find((name) => text.includes(name));
}

// ── generators ───────────────────────────────────────────────────────────────

const LETTERS = "abcdefghijklmnopqrstuvwxyz:-_.sS".split("");

/** A typo of `base`: a character deleted, swapped, replaced or inserted, a case change, or a suffix. */
function nearMiss(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(base, fc.nat(), fc.constantFrom("delete", "swap", "replace", "insert", "upper", "suffix"), fc.constantFrom(...LETTERS))
    .map(([name, at, how, letter]) => {
      const i = at % name.length;
      switch (how) {
        case "delete":
          return name.slice(0, i) + name.slice(i + 1) || letter;
        case "swap":
          return i + 1 < name.length ? name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2) : name + letter;
        case "replace":
          return name.slice(0, i) + letter + name.slice(i + 1);
        case "insert":
          return name.slice(0, i) + letter + name.slice(i);
        case "upper":
          return name.toUpperCase();
        default:
          return name + letter;
      }
    });
}

/**
 * Patterns over every prefix of the registry: some match public and internal names alike
 * ("chat:*"), some only internal ones ("audit:*", "secrets:*"), "*" matches all, and a few are
 * malformed.
 */
const PATTERNS: readonly string[] = [
  "*",
  ...new Set([...PUBLIC_NAMES, ...INTERNAL_NAMES].map((name) => `${name.slice(0, name.indexOf(":") + 1)}*`)),
  "audit:log*",
  "*:login",
  "chat:*:*",
];

const nameArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...PUBLIC_NAMES),
  fc.constantFrom(...INTERNAL_NAMES),
  nearMiss(fc.constantFrom(...INTERNAL_NAMES)),
  nearMiss(fc.constantFrom(...PUBLIC_NAMES)),
  fc.string({ minLength: 1, maxLength: 24 }),
);
/** What a subscribe may name: a name, or a pattern. */
const subscribableArb: fc.Arbitrary<string> = fc.oneof({ arbitrary: nameArb, weight: 2 }, { arbitrary: fc.constantFrom(...PATTERNS), weight: 1 });

const payloadArb: fc.Arbitrary<unknown> = fc
  .oneof(fc.jsonValue({ maxDepth: 3 }), fc.record({ text: fc.string({ maxLength: 120 }) }), fc.constant(undefined))
  .filter((value) => mentionsInternal(JSON.stringify(value) ?? "") === undefined);

type ClientCommand =
  | { type: "subscribe"; event: string; since?: string | Record<string, string>; presence?: true }
  | { type: "presence"; event: string }
  | { type: "unsubscribe"; event: string }
  | { type: "trigger"; event: string; data: unknown }
  | { type: "request"; query: string; data: unknown; timeout?: number }
  | { type: "describe" };
type ServerCommand = { server: "trigger-internal" | "trigger-failing-internal" | "trigger-public" | "request-internal" };
type Command = ClientCommand | ServerCommand;

function commandsArb(epoch: string): fc.Arbitrary<Command[]> {
  const since = fc.option(fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.nat({ max: 30 }).map((seq) => `${epoch}-${seq}`)), { nil: undefined });
  // A pattern resumes with the last id of each name: internal names among them too.
  const sinceMap = fc.dictionary(nameArb, fc.nat({ max: 30 }).map((seq) => `${epoch}-${seq}`), { maxKeys: 4 });
  const client: fc.Arbitrary<ClientCommand> = fc.oneof(
    fc.tuple(nameArb, since).map(([event, from]): ClientCommand => (from === undefined ? { type: "subscribe", event } : { type: "subscribe", event, since: from })),
    fc.tuple(fc.constantFrom(...PATTERNS), fc.option(sinceMap, { nil: undefined })).map(([event, from]): ClientCommand => (from === undefined ? { type: "subscribe", event } : { type: "subscribe", event, since: from })),
    subscribableArb.map((event): ClientCommand => ({ type: "subscribe", event, presence: true })),
    nameArb.map((event): ClientCommand => ({ type: "presence", event })),
    subscribableArb.map((event): ClientCommand => ({ type: "unsubscribe", event })),
    fc.tuple(nameArb, payloadArb).map(([event, data]): ClientCommand => ({ type: "trigger", event, data })),
    fc
      .tuple(nameArb, payloadArb, fc.option(fc.integer({ min: 1_000, max: 600_000 }), { nil: undefined }))
      .map(([query, data, timeout]): ClientCommand => (timeout === undefined ? { type: "request", query, data } : { type: "request", query, data, timeout })),
    fc.constant<ClientCommand>({ type: "describe" }),
  );
  const server: fc.Arbitrary<Command> = fc
    .constantFrom("trigger-internal", "trigger-failing-internal", "trigger-public", "request-internal")
    .map((what) => ({ server: what }) as ServerCommand);
  return fc.array(fc.oneof({ arbitrary: client as fc.Arbitrary<Command>, weight: 4 }, { arbitrary: server, weight: 1 }), { minLength: 1, maxLength: 12 });
}

// ── helpers ──────────────────────────────────────────────────────────────────

/** Records the raw text of every frame a client receives. */
function rawTexts(client: RawClient): string[] {
  const texts: string[] = [];
  client.ws.on("message", (data, isBinary) => {
    if (!isBinary) texts.push(data.toString());
  });
  return texts;
}

/** The reply to `ref`, as soon as it arrives (event-driven: the property sends many ops). */
function replyOf(client: RawClient, ref: string, timeoutMs = 5_000): Promise<ServerFrame> {
  const find = () => client.frames.find((frame) => (frame.type === "ok" || frame.type === "error") && frame.ref === ref);
  const already = find();
  if (already) return Promise.resolve(already);
  return new Promise((resolve, reject) => {
    const onMessage = () => {
      const reply = find();
      if (reply) {
        done();
        resolve(reply);
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`No reply to ${ref} within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      client.ws.off("message", onMessage);
    };
    // Registered after RawClient's own listener, so `frames` already holds the new frame.
    client.ws.on("message", onMessage);
  });
}

/** The name a client op carries (the one its error may quote back), if any. */
function nameOf(op: ClientCommand): string | undefined {
  return op.type === "describe" ? undefined : op.type === "request" ? op.query : op.event;
}

/** `"name"` as it appears inside a JSON string: the quoted name the server's messages echo. */
function quotedInJson(name: string): string {
  return `\\"${JSON.stringify(name).slice(1, -1)}\\"`;
}

/**
 * `value` (a frame) as the other server would word it: every occurrence of one history's epoch,
 * and of one connection's id (presence lists it), written as the other's.
 */
function withEpoch<T>(value: T, from: string, to: string, connections?: { from: string; to: string }): T {
  let text = JSON.stringify(value).split(from).join(to);
  if (connections) text = text.split(JSON.stringify(connections.from)).join(JSON.stringify(connections.to));
  return JSON.parse(text) as T;
}

const connectionOf = (client: RawClient): string => {
  const welcome = client.ofType("welcome")[0];
  if (!welcome) throw new Error("no welcome frame");
  return welcome.connection;
};

async function runServerCommand(command: ServerCommand, real: Harness, shadow: Harness): Promise<void> {
  switch (command.server) {
    case "trigger-internal":
      await real.bus.trigger("audit:login", { user: "someone" });
      return;
    case "trigger-failing-internal":
      await real.bus.trigger("billing:charged", { cents: 100 });
      return;
    case "trigger-public":
      await Promise.all([real.bus.trigger("model:updated", { n: 1 }), shadow.bus.trigger("model:updated", { n: 1 })]);
      return;
    case "request-internal":
      await real.bus.request("secrets:get", "key");
      return;
  }
}

// ── the property ─────────────────────────────────────────────────────────────

describe("internal names, to a normal (non-monitor) connection", () => {
  let real: Harness;
  let shadow: Harness;
  let monitor: RawClient;

  beforeAll(async () => {
    // `real` has the internal names; `shadow` is the same app without them. Whatever a normal
    // connection does, both must answer alike: then internal names are truly invisible.
    real = await startTransport();
    shadow = await startTransport();
    declare(real, true);
    declare(shadow, false);
    // A monitor is watching the whole time, so traces (full of internal names) are being produced.
    monitor = await real.connect();
    expect(await monitor.op({ type: "monitor", token: createMonitorToken(TEST_SECRET) })).toMatchObject({ type: "ok" });
  });

  afterAll(async () => {
    await real?.close();
    await shadow?.close();
  });

  it("are never mentioned in any frame, and ops on them answer exactly as if they did not exist (property)", async () => {
    let runs = 0;
    const realEpoch = real.bus.adapter.epoch;
    const shadowEpoch = shadow.bus.adapter.epoch;
    await fc.assert(
      fc.asyncProperty(commandsArb(realEpoch), async (commands) => {
        runs++;
        const client = await real.connect();
        const twin = await shadow.connect();
        const texts = rawTexts(client);
        const namesByRef = new Map<string, string>();
        const ids = { from: connectionOf(twin), to: connectionOf(client) };
        try {
          for (const [index, command] of commands.entries()) {
            if ("server" in command) {
              await runServerCommand(command, real, shadow);
              continue;
            }
            const ref = `op${index}`;
            const name = nameOf(command);
            if (name !== undefined) namesByRef.set(ref, name);
            const frame = { ...command, ref };
            client.send(frame);
            // Each server names its own history (the epoch in every id); the twin gets the same
            // ids in its own, and both see the same public traffic, so even ids must agree.
            twin.send(withEpoch(frame, realEpoch, shadowEpoch));
            const [got, expected] = await Promise.all([replyOf(client, ref), replyOf(twin, ref)]);
            expect(got, JSON.stringify(frame)).toEqual(withEpoch(expected, shadowEpoch, realEpoch, ids));
          }
          // Frames arrive in order: once this is answered, every earlier frame is in `texts`.
          client.send({ type: "ping", ref: "flush" });
          await replyOf(client, "flush");
          for (const text of texts) {
            const frame = JSON.parse(text) as { ref?: unknown };
            // An error may quote the name the op itself carried, and nothing else.
            const own = typeof frame.ref === "string" ? namesByRef.get(frame.ref) : undefined;
            const rest = own === undefined ? text : text.split(quotedInJson(own)).join("<own name>");
            expect(mentionsInternal(rest), `a frame leaked an internal name: ${text}`).toBeUndefined();
          }
          expect(texts.some((text) => text.includes('"type":"trace"'))).toBe(false);
        } finally {
          client.terminate();
          twin.terminate();
          await waitFor(() => real.transport.stats().connections === 1 && shadow.transport.stats().connections === 0, "the run's clients to be forgotten");
        }
      }),
      { numRuns: 100, timeout: 5_000, interruptAfterTimeLimit: 25_000 },
    );
    expect(runs).toBeGreaterThanOrEqual(20);
    // The monitor saw the internal traffic the normal connections never did.
    expect(monitor.ofType("trace").some((trace) => trace.internal && trace.name === "audit:login")).toBe(true);
  }, 60_000);

  it.each([
    ["a subscribe to an internal event", { type: "subscribe", event: "audit:login" }],
    ["an unsubscribe from an internal event", { type: "unsubscribe", event: "chat:messages" }],
    ["a trigger of an internal event", { type: "trigger", event: "billing:charged", data: {} }],
    ["a request of an internal query", { type: "request", query: "secrets:get", data: "key" }],
    ["a request of an internal event's name", { type: "request", query: "audit:login", data: null }],
    ["a subscribe to an internal query's name", { type: "subscribe", event: "model:counts" }],
  ])("%s answers not_found, worded exactly as for a name that was never declared", async (_op, frame) => {
    const client = await real.connect();
    const twin = await shadow.connect();
    const got = await client.op(frame);
    const expected = await twin.op(frame);
    expect(got).toEqual(expected);
    expect(got).toMatchObject({ type: "error", code: "not_found" });
    client.terminate();
    twin.terminate();
  });

  it("a typo of an internal name gets no suggestion of it, but a typo close to a public name still gets that one", async () => {
    const client = await real.connect();
    const typoOfInternal = await client.op({ type: "trigger", event: "audit:logn", data: null });
    expect(typoOfInternal).toMatchObject({ code: "not_found", message: 'Unknown event "audit:logn"' });
    // "chat:messagez" is one edit from both "chat:message" (public) and "chat:messages" (internal).
    const typoOfBoth = await client.op({ type: "subscribe", event: "chat:messagez" });
    expect(typoOfBoth).toMatchObject({ code: "not_found", message: 'Unknown event "chat:messagez" (did you mean "chat:message"?)' });
    const typoOfQuery = await client.op({ type: "request", query: "model:countz", data: null });
    expect(typoOfQuery).toMatchObject({ code: "not_found", message: 'Unknown query "model:countz" (did you mean "model:count"?)' });
    client.terminate();
  });

  it("describe lists only public names, without handler counts, counters or subscribers", async () => {
    const client = await real.connect();
    const reply = (await client.op({ type: "describe" })) as { events: { name: string }[]; queries: { name: string }[] };
    expect(reply.events.map((info) => info.name)).toEqual([...PUBLIC_EVENTS].sort());
    expect(reply.queries.map((info) => info.name)).toEqual([...PUBLIC_QUERIES].sort());
    for (const info of [...reply.events, ...reply.queries]) {
      const presence = info.name === "room:lobby" ? ["presence"] : [];
      expect(Object.keys(info).sort()).toEqual(["description", "internal", "kind", "name", ...presence, "schema", "singleton"]);
    }
    client.terminate();
  });

  it("a public query whose handler fails on an internal query does not name it in the handler_error", async () => {
    // The everyday case: a public query built on internal ones, one of which fails or is not ready.
    real.bus.query("vault:read", (_key: unknown) => {
      throw new Error("the vault is sealed");
    });
    real.bus.createQuery("vault:index");
    real.bus.query("model:summary", async (_data: unknown) => real.bus.request("vault:read", "k"), { internal: false });
    real.bus.query("model:search", async (_data: unknown) => real.bus.request("vault:index"), { internal: false });
    const client = await real.connect();
    const texts = rawTexts(client);
    expect(await client.op({ type: "request", query: "model:summary", data: null })).toMatchObject({ type: "error", code: "handler_error" });
    expect(await client.op({ type: "request", query: "model:search", data: null })).toMatchObject({ type: "error", code: "handler_error" });
    for (const text of texts) expect(text).not.toMatch(/vault:read|vault:index/);
    client.terminate();
  });
});

// ── monitor sessions ─────────────────────────────────────────────────────────

describe("a monitor session", () => {
  let harness: Harness;
  afterEach(() => harness?.close());

  async function startWithRegistry(): Promise<Harness> {
    harness = await startTransport();
    declare(harness, true);
    return harness;
  }

  async function becomeMonitor(h: Harness): Promise<RawClient> {
    const monitor = await h.connect();
    expect(await monitor.op({ type: "monitor", token: createMonitorToken(TEST_SECRET) })).toEqual({
      type: "ok",
      ref: expect.any(String),
      instance: "test-instance",
      startedAt: h.transport.startedAt,
      expiresAt: expect.any(Number),
      expiresIn: expect.any(Number),
    });
    return monitor;
  }

  it("sees internal names in describe, with handlers, counters and subscribers", async () => {
    const h = await startWithRegistry();
    const monitor = await becomeMonitor(h);
    await h.bus.trigger("audit:login", { user: 1 });
    const reply = (await monitor.op({ type: "describe" })) as { events: Record<string, unknown>[]; queries: Record<string, unknown>[] };
    // The transport's own internal event is there too: wf:disconnected, the record of a dashboard's disconnect.
    expect(reply.events.map((info) => info.name)).toEqual([...PUBLIC_EVENTS, ...INTERNAL_EVENTS, "wf:disconnected"].sort((a, b) => a.localeCompare(b)));
    expect(reply.queries.map((info) => info.name)).toEqual([...PUBLIC_QUERIES, ...INTERNAL_QUERIES].sort((a, b) => a.localeCompare(b)));
    expect(reply.events.find((info) => info.name === "audit:login")).toEqual({
      name: "audit:login",
      kind: "event",
      internal: true,
      singleton: false,
      schema: null,
      description: null,
      handlers: 1,
      counters: { count: 1, errors: 0, lastAt: expect.any(Number) },
      subscribers: 0,
    });
  });

  it("receives a trace frame with every field of PROTOCOL.md's Monitor section for an internal trigger", async () => {
    const h = await startWithRegistry();
    const monitor = await becomeMonitor(h);
    const before = Date.now();
    const report = await h.bus.trigger("audit:login", { user: 7 });
    const trace = (await monitor.next((frame) => frame.type === "trace" && frame.name === "audit:login")) as TraceFrame;
    expect(trace).toEqual({
      type: "trace",
      kind: "trigger",
      name: "audit:login",
      id: report.id,
      internal: true,
      source: "server",
      at: expect.any(Number),
      handlers: 1,
      delivered: 0,
      durationMs: expect.any(Number),
      error: null,
      code: null,
      data: { user: 7 },
      instance: "test-instance",
      spans: [{ handler: expect.any(String), source: expect.any(String), instance: "test-instance", startMs: expect.any(Number), durationMs: expect.any(Number), outcome: "ok" }],
    });
    expect(trace.at).toBeGreaterThanOrEqual(before);
    expect(trace.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("receives traces of requests (with result), of failing handlers (with error), and names each source", async () => {
    const h = await startWithRegistry();
    const monitor = await becomeMonitor(h);
    const browser = await h.connect();
    const browserId = (browser.frames[0] as WelcomeFrame).connection;
    await browser.op({ type: "subscribe", event: "model:created" });
    await h.bus.request("secrets:get", "key");
    await h.bus.trigger("billing:charged", { cents: 5 });
    await browser.op({ type: "trigger", event: "model:created", data: { id: 1 } });
    expect(await monitor.op({ type: "request", query: "billing:total", data: null })).toMatchObject({ type: "ok", data: 42 });
    await waitFor(() => monitor.ofType("trace").length >= 5, "five traces");
    const traces = monitor.ofType("trace");
    expect(traces.find((trace) => trace.name === "secrets:get")).toMatchObject({
      kind: "request",
      internal: true,
      source: "server",
      delivered: 0,
      data: "key",
      result: { secret: "billing:total" },
      error: null,
    });
    expect(traces.find((trace) => trace.name === "billing:charged")).toMatchObject({
      kind: "trigger",
      internal: true,
      source: "server",
      error: expect.stringContaining("billing:charged failed while asking secrets:get"),
      code: "handler_error",
    });
    expect(traces.find((trace) => trace.name === "model:created")).toMatchObject({ kind: "trigger", internal: false, source: `client:${browserId}`, delivered: 1, data: { id: 1 } });
    // The public handler's own internal trigger, seen as coming from the server.
    expect(traces.find((trace) => trace.name === "audit:login")).toMatchObject({ kind: "trigger", internal: true, source: "server", data: { model: { id: 1 } } });
    expect(traces.find((trace) => trace.name === "billing:total")).toMatchObject({ kind: "request", source: "monitor", result: 42 });
    // The browser, meanwhile, saw its event and nothing of the rest.
    expect(browser.ofType("trace")).toEqual([]);
    expect(browser.ofType("event")).toHaveLength(1);
  });

  it("may trigger internal events and request internal queries", async () => {
    const h = await startWithRegistry();
    const monitor = await becomeMonitor(h);
    expect(await monitor.op({ type: "trigger", event: "audit:login", data: { by: "dashboard" } })).toMatchObject({ type: "ok", id: expect.any(String), handlers: 1, failed: 0, delivered: 0 });
    expect(await monitor.op({ type: "request", query: "model:counts", data: null })).toMatchObject({ type: "ok", data: [1, 2, 3] });
  });

  it("refuses a bad token with unauthorized and the connection stays a normal one", async () => {
    const h = await startWithRegistry();
    const client = await h.connect();
    const good = createMonitorToken(TEST_SECRET);
    for (const token of ["nonsense", `${good}x`, createMonitorToken("another-secret-0123456789"), `${good.split(".")[0]}.`, `.${good.split(".")[1]}`]) {
      expect(await client.op({ type: "monitor", token }), token).toMatchObject({ type: "error", code: "unauthorized", message: "The monitor token is not valid" });
    }
    const reply = (await client.op({ type: "describe" })) as { events: { name: string }[] };
    expect(reply.events.map((info) => info.name)).toEqual([...PUBLIC_EVENTS].sort());
    await h.bus.trigger("audit:login", {});
    await client.op({ type: "ping" });
    expect(client.ofType("trace")).toEqual([]);
  });

  it("refuses an expired token with unauthorized, saying it expired", async () => {
    const h = await startWithRegistry();
    const client = await h.connect();
    expect(await client.op({ type: "monitor", token: createMonitorToken(TEST_SECRET, { ttlMs: -1_000 }) })).toMatchObject({
      type: "error",
      code: "unauthorized",
      message: "The monitor token has expired: fetch a new one",
    });
    expect(await client.op({ type: "trigger", event: "audit:login", data: null })).toMatchObject({ code: "not_found" });
  });

  it("stops tracing when the last monitor leaves, and only monitors ever get traces", async () => {
    const h = await startWithRegistry();
    const monitor = await becomeMonitor(h);
    const browser = await h.connect();
    await h.bus.trigger("audit:login", {});
    await monitor.next((frame) => frame.type === "trace");
    monitor.terminate();
    await waitFor(() => h.transport.stats().monitors === 0, "the monitor to be forgotten");
    let observed = 0;
    h.bus.observe(() => observed++);
    await h.bus.trigger("audit:login", {});
    expect(observed).toBe(1);
    await browser.op({ type: "ping" });
    expect(browser.ofType("trace")).toEqual([]);
  });
});
