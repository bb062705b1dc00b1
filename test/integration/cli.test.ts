import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { EventManager } from "@/lib/events/client/event-manager";
import type { TraceFrame, WireConnection } from "@/lib/events/protocol/frames";
import { startAppServer, type AppServer } from "@/test/support/app-server";
import { runCli, startCli } from "@/test/support/cli-process";
import { startTcpProxy } from "@/test/support/tcp-proxy";
import { waitFor } from "@/test/support/wait-for";

const DASHBOARD_TOKEN = "cli-test-dashboard-token";

async function addModel(server: AppServer, value: string): Promise<{ model_id: number }> {
  const response = await fetch(`${server.url}/api/models`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ value }) });
  expect(response.status).toBe(200);
  return (await response.json()) as { model_id: number };
}

const traces = (stdout: string): TraceFrame[] =>
  stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TraceFrame);

describe("webfluid-events against a production server", () => {
  let server: AppServer;
  /** The environment of a developer pointed at this server with its dashboard token. */
  let withToken: Record<string, string>;
  beforeAll(async () => {
    server = await startAppServer({ env: { EVENTS_DASHBOARD_TOKEN: DASHBOARD_TOKEN } });
    withToken = { WEBFLUID_EVENTS_URL: server.url, WEBFLUID_EVENTS_TOKEN: DASHBOARD_TOKEN };
  });
  afterAll(() => server?.stop());

  it("tail --json prints the trace of a POST /api/models within 2 s, and Ctrl-C ends it with 0", async () => {
    const tail = startCli(["tail", "--json"], { env: withToken });
    try {
      await tail.waitForStderr("Tailing");
      const posted = performance.now();
      const { model_id } = await addModel(server, "from the tail test");
      const line = await waitFor(() => traces(tail.stdout()).find((trace) => trace.name === "model:created"), "the trace of model:created", 2_000);
      const elapsed = performance.now() - posted;
      expect(elapsed).toBeLessThan(2_000);
      expect(line).toMatchObject({ type: "trace", kind: "trigger", name: "model:created", source: "server", internal: false, error: null, data: { id: model_id, value: "from the tail test" } });
      // NDJSON and nothing else on stdout: every line parses.
      expect(() => traces(tail.stdout())).not.toThrow();
      expect(await tail.interrupt()).toBe(0);
      expect(tail.stderr()).toMatch(/Stopped: \d+ of \d+ traces shown/);
    } finally {
      tail.kill();
    }
  });

  it("tail keeps what its patterns and filters match, one plain line per trace when piped", async () => {
    const tail = startCli(["tail", "model:*", "--kind", "request"], { env: withToken });
    try {
      await tail.waitForStderr("Tailing");
      await runCli(["fire", "cache:warmed", '{"region":"eu-west","keys":1}'], { env: withToken });
      await runCli(["request", "model:count"], { env: withToken });
      const line = await waitFor(() => tail.lines().find((text) => text.includes("model:count")), "the request's line");
      expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3}  request  model:count \(internal\) +dashboard +1 +0 +[\d.]+ m?s  ok +null → \d+$/);
      expect(tail.stdout()).not.toContain("cache:warmed");
      expect(tail.stdout()).not.toContain("\u001b["); // no colours into a pipe
      expect(tail.stdout()).not.toContain("TIME"); // the header is for terminals
    } finally {
      await tail.interrupt();
    }
  });

  it("fire of an internal name works with the dashboard token: the event id, handlers and browsers reached", async () => {
    const fired = await runCli(["fire", "cache:warmed", '{"region":"us-east","keys":3}'], { env: withToken });
    expect(fired.stderr).toBe("");
    expect(fired.code).toBe(0);
    expect(fired.stdout).toMatch(/^cache:warmed  [0-9a-f]{8}-\d+  1 handler, 0 browsers reached  \d+ ms\n$/);
    const json = await runCli(["fire", "cache:warmed", "--json", "--data-file", "-"], { env: withToken, input: '{"region":"ap-south","keys":2}' });
    expect(JSON.parse(json.stdout)).toEqual({ id: expect.stringMatching(/^[0-9a-f]{8}-\d+$/), name: "cache:warmed", handlers: 1, failed: 0, delivered: 0 });
  });

  it("fire is refused without the token in production: exit 1, the server's code and message, and what to do", async () => {
    const refused = await runCli(["fire", "cache:warmed", '{"region":"eu-west","keys":3}'], { env: { WEBFLUID_EVENTS_URL: server.url } });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(/^error: unauthorized: Send the dashboard token: Authorization: Bearer <EVENTS_DASHBOARD_TOKEN>\n.*WEBFLUID_EVENTS_TOKEN/);
  });

  it("fire of a misspelled name exits 1 with the server's did-you-mean", async () => {
    const misspelled = await runCli(["fire", "model:creatd", "{}"], { env: withToken });
    expect(misspelled.code).toBe(1);
    expect(misspelled.stdout).toBe("");
    expect(misspelled.stderr).toBe('error: not_found: Unknown event "model:creatd" (did you mean "model:created"?)\n');
  });

  it("request model:count prints the number", async () => {
    await addModel(server, "one more");
    const count = ((await (await fetch(`${server.url}/api/models`)).json()) as { models: unknown[] }).models.length;
    const asked = await runCli(["request", "model:count"], { env: withToken });
    expect(asked.code).toBe(0);
    expect(asked.stdout).toBe(`${count}\n`);
    const failed = await runCli(["request", "report:summary", "--timeout", "500"], { env: withToken });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^error: no_handler: Query "report:summary" has no handler/);
  });

  it("ls lists every name with its flags and counters; --json one per line", async () => {
    const table = await runCli(["ls", "model:*"], { env: withToken });
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME +KIND +FLAGS +HANDLERS +SUBSCRIBERS +COUNT +ERRORS +LAST +DESCRIPTION$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual(["model:count", "model:created"]);
    expect(lines[1]).toMatch(/^model:count +query +internal singleton +1 +— +\d+ +0 /);
    const json = (await runCli(["ls", "--json"], { env: withToken })).stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as { name: string; internal: boolean; count: number });
    expect(json.map((entry) => entry.name)).toEqual(expect.arrayContaining(["cache:warmed", "demo:ping", "health:check", "model:count", "model:created", "report:summary"]));
    expect(json.find((entry) => entry.name === "cache:warmed")).toMatchObject({ kind: "event", internal: true, handlers: 1, count: expect.any(Number) });
  });

  it("connections lists every browser connection with its subscriptions, finds them by event name, and says how many of how many", async () => {
    const page = new EventManager({ url: `${server.url.replace("http", "ws")}/ws/events`, WebSocket });
    try {
      await page.subscribe("model:created");
      const id = page.stateDetail.connection!;
      const listed = await runCli(["connections", "--json"], { env: withToken });
      expect(listed.code).toBe(0);
      const rows = listed.stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as WireConnection);
      expect(rows.find((row) => row.id === id)).toMatchObject({ monitor: false, subscriptions: ["model:created"], address: "127.0.0.1" });
      expect(rows.some((row) => row.monitor)).toBe(true); // this CLI's own session
      expect(listed.stderr).toMatch(/^\d+ connections?\n$/);

      const found = await runCli(["connections", "model:created"], { env: withToken });
      expect(found.code).toBe(0);
      const [header, ...lines] = found.stdout.trimEnd().split("\n");
      expect(header).toMatch(/^CONNECTION +INSTANCE +WHO +ORIGIN +ADDRESS +SINCE +QUEUED +DROPPED +GAPS +OPS\/S +SUBSCRIPTIONS$/);
      expect(lines).toEqual([expect.stringMatching(new RegExp(`^${id} .* model:created$`))]);
      expect(found.stderr).toMatch(/^1 matching "model:created" of \d+ connections\n$/);

      const badLimit = await runCli(["connections", "--limit", "0"], { env: withToken });
      expect(badLimit.code).not.toBe(0);
      expect(badLimit.stderr).toContain("--limit must be an integer from 1 to 500");
    } finally {
      page.close();
    }
  });

  it("listen model:* --forward-to delivers every event to a local HTTP server, in order, printing each status", async () => {
    const received: { name: string; id: string; data: { id: number; value: string } }[] = [];
    const hook: Server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => (body += chunk));
      request.on("end", () => {
        received.push(JSON.parse(body));
        // A slow first answer: the second event must still wait for it.
        setTimeout(() => response.writeHead(received.length === 2 ? 503 : 200).end(), received.length === 1 ? 200 : 0);
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks`;
    const listen = startCli(["listen", "model:*", "cache:*", "--forward-to", url], { env: withToken });
    try {
      await listen.waitForStderr(`Forwarding model:created to ${url}`);
      // Internal events never reach a connection as events: said, not silently skipped.
      expect(listen.stderr()).toContain("Not forwarded: cache:warmed (internal");
      const ids: number[] = [];
      for (const value of ["first", "second", "third"]) ids.push((await addModel(server, value)).model_id);
      await waitFor(() => listen.lines().length === 3, "three deliveries", 10_000);
      expect(received.map((event) => [event.name, event.data])).toEqual(ids.map((id, i) => ["model:created", { id, value: ["first", "second", "third"][i] }]));
      expect(received.map((event) => event.id)).toEqual([...received.map((event) => event.id)].sort((a, b) => Number(a.split("-")[1]) - Number(b.split("-")[1])));
      expect(listen.lines().map((line) => line.split(/\s+/).slice(1, 5).join(" "))).toEqual(
        received.map((event, i) => `model:created ${event.id} → ${i === 1 ? "503" : "200"}`),
      );
      expect(await listen.interrupt()).toBe(0);
    } finally {
      listen.kill();
      await new Promise((resolve) => hook.close(resolve));
    }
  });

  it("tail reconnects after a dropped connection and says so on stderr", async () => {
    const proxy = await startTcpProxy(server.port);
    const tail = startCli(["tail", "--json", "model:*"], { env: { ...withToken, WEBFLUID_EVENTS_URL: `http://127.0.0.1:${proxy.port}` } });
    try {
      await tail.waitForStderr("Tailing");
      proxy.cut();
      await tail.waitForStderr(/Connection lost \([^)]*\); reconnecting in [\d.]+ s/);
      await tail.waitForStderr("Reconnected to");
      await addModel(server, "after the cut");
      await waitFor(() => traces(tail.stdout()).some((trace) => (trace.data as { value?: string }).value === "after the cut"), "the trace after the reconnect").catch((error: Error) => {
        throw new Error(`${error.message}; the CLI said:\n${tail.stderr()}\nand printed:\n${tail.stdout()}`);
      });
    } finally {
      await tail.interrupt();
      await proxy.close();
    }
  });

  it("bad usage exits 2 with the error and the command's help", async () => {
    const missing = await runCli(["fire"], { env: withToken });
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toMatch(/^error: missing required argument 'name'\n\nUsage: webfluid-events fire \[options\] <name> \[json\][\s\S]*Examples:/);
    const notJson = await runCli(["request", "model:count", "{oops"], { env: withToken });
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/^error: The payload is not JSON: .*\(line 1, column 2\)[\s\S]*Usage: webfluid-events request/);
  });

  it("runs the compiled CLI, and --help works without any server", async () => {
    const help = await runCli(["--help"], { env: { WEBFLUID_EVENTS_URL: "http://127.0.0.1:9" } });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: webfluid-events \[options\] \[command\]/);
    expect(help.stderr).toBe(""); // the launcher says when it falls back to the sources
  });
});

describe("webfluid-events against a development server", () => {
  let dev: AppServer;
  beforeAll(async () => {
    dev = await startAppServer({ env: { NODE_ENV: "development" }, timeoutMs: 120_000 });
  }, 150_000);
  afterAll(() => dev?.stop());

  it("needs no token: ls sees internal names and fire reaches them", async () => {
    const env = { WEBFLUID_EVENTS_URL: dev.url };
    const listed = await runCli(["ls", "--json"], { env, timeoutMs: 60_000 });
    expect(listed.stderr).toBe("");
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('"name":"model:count","kind":"query","internal":true');
    const fired = await runCli(["fire", "cache:warmed", '{"region":"eu-west","keys":1}'], { env });
    expect(fired.code).toBe(0);
    expect(fired.stdout).toMatch(/^cache:warmed  [0-9a-f]{8}-1  1 handler, 0 browsers reached/);
  }, 90_000);
});
