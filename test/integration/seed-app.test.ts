import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/test/support/app-server";
import { RawClient } from "@/test/support/transport-harness";

describe("the seed's example app, served by server.ts", () => {
  let server: AppServer;

  beforeAll(async () => {
    server = await startAppServer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  const post = (body: string) =>
    fetch(`${server.url}/api/models`, { method: "POST", headers: { "content-type": "application/json" }, body });

  it("adds a model and answers { model_id, value }", async () => {
    const response = await post(JSON.stringify({ value: "first" }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ model_id: expect.any(Number), value: "first" });
  });

  it("runs the handler server.ts registered when the route handler triggers: one bus per process", async () => {
    const response = await post(JSON.stringify({ value: "seen by the handler" }));
    const { model_id } = (await response.json()) as { model_id: number };
    const record = await server.waitForRecord(
      (entry) => entry.event === "model:created" && (entry.model as { id?: number } | undefined)?.id === model_id,
    );
    expect(record.msg).toBe(`A new model appeared: {"id":${model_id},"value":"seen by the handler"}`);
  });

  it.each([
    ["a missing value", "{}", '"value" is required: a non-empty string'],
    ["an empty value", '{"value": "  "}', '"value" is required: a non-empty string'],
    ["a value that is not a string", '{"value": 7}', '"value" is required: a non-empty string'],
    ["a body that is not JSON", "value=first", 'The request body must be JSON, such as {"value": "first"}'],
    ["a value that is too long", JSON.stringify({ value: "x".repeat(1001) }), '"value" is 1001 characters long; at most 1000 are allowed'],
  ])("answers 400 with a clear JSON error for %s", async (_label, body, message) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: "bad_request", message } });
  });
});

describe("the demo's public events, as a page sees them", () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer();
  });
  afterAll(() => server?.stop());

  it("may be subscribed to, but not forged: a page's trigger of model:created or demo:ping is forbidden and reaches no one", async () => {
    const page = await RawClient.open(`${server.url.replace("http", "ws")}/ws/events`);
    const listener = await RawClient.open(`${server.url.replace("http", "ws")}/ws/events`);
    try {
      expect(await listener.op({ type: "subscribe", event: "model:created" })).toMatchObject({ type: "ok" });
      expect(await listener.op({ type: "subscribe", event: "demo:ping" })).toMatchObject({ type: "ok" });
      expect(await page.op({ type: "trigger", event: "model:created", data: { id: 999_999, value: "forged" } })).toEqual({
        type: "error",
        ref: expect.any(String),
        code: "forbidden",
        message: 'Not allowed to trigger "model:created"',
      });
      expect(await page.op({ type: "trigger", event: "demo:ping", data: { message: "flood" } })).toMatchObject({ code: "forbidden" });
      const { models } = (await (await fetch(`${server.url}/api/models`)).json()) as { models: { value: string }[] };
      expect(models.map((model) => model.value)).not.toContain("forged");
      await fetch(`${server.url}/api/models`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ value: "real" }) });
      const delivered = await listener.next((frame) => frame.type === "event");
      expect(delivered).toMatchObject({ event: "model:created", data: { value: "real" } });
      expect(listener.ofType("event")).toHaveLength(1);
    } finally {
      page.terminate();
      listener.terminate();
    }
  });
});

describe("server.ts with a bad configuration", () => {
  it("refuses to start, naming the key, the value and what is allowed", async () => {
    const attempt = startAppServer({ env: { EVENTS_EVENT_QUEUE_SIZE: "lots" }, timeoutMs: 20_000 });
    await expect(attempt).rejects.toThrow(
      /Configuration error: EVENTS_EVENT_QUEUE_SIZE = "lots" \(from the environment\) is not allowed: expected an integer from 1 to 10000/,
    );
  });

  it("lists every bad key at once, one per line, from the file and the environment", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "wf-config-")), "webfluid.ini");
    writeFileSync(file, "[extensions]\nEXT_EVENTS = 1\n[events]\nEVENTS_OVERFLOW = drop-all\n");
    const attempt = startAppServer({ env: { WEBFLUID_CONFIG: file, EVENTS_EVENT_QUEUE_SIZE: "lots" }, timeoutMs: 20_000 });
    const printed = await attempt.then(
      () => expect.fail("the server started"),
      (error: Error) => error.message.split("\n"),
    );
    const first = printed.indexOf("Configuration error: 2 problems:");
    expect(first, printed.join("\n")).toBeGreaterThanOrEqual(0);
    expect(printed.slice(first + 1, first + 3)).toEqual([
      '  - EVENTS_EVENT_QUEUE_SIZE = "lots" (from the environment) is not allowed: expected an integer from 1 to 10000',
      `  - EVENTS_OVERFLOW = "drop-all" (from ${file}:4) is not allowed: expected drop-oldest, drop-newest, disconnect`,
    ]);
  });

  it("refuses to start in production with the sample secret", async () => {
    const attempt = startAppServer({ env: { SECRET_KEY: "supersecret" }, timeoutMs: 20_000 });
    await expect(attempt).rejects.toThrow(/SECRET_KEY = "supersecret" is the documentation's sample/);
  });
});
