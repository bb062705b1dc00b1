import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/test/support/app-server";

const METRICS_TOKEN = "metrics-token-for-the-tests";
const DASHBOARD_TOKEN = "dashboard-token-for-the-tests";
const MB = 1024 * 1024;

/** A body of `size` spaces made 64 KiB at a time as it is sent: the test never holds it. */
function streamedBody(size: number): { body: ReadableStream<Uint8Array>; sent: () => number } {
  let sent = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent >= size) return controller.close();
        const length = Math.min(64 * 1024, size - sent);
        sent += length;
        controller.enqueue(new Uint8Array(length).fill(0x20));
      },
    },
    { highWaterMark: 0 },
  );
  return { body, sent: () => sent };
}

type ErrorBody = { error: { code: string; message: string } };

describe("request bodies, bounded by the production server", () => {
  let server: AppServer;

  beforeAll(async () => {
    server = await startAppServer({ env: { EVENTS_METRICS_TOKEN: METRICS_TOKEN, EVENTS_DASHBOARD_TOKEN: DASHBOARD_TOKEN } });
  });

  afterAll(async () => {
    await server?.stop();
  });

  /** The server's resident memory, as its own /metrics reports it. */
  async function serverRss(): Promise<number> {
    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    const match = /^wf_events_process_resident_memory_bytes (\d+)/m.exec(text);
    if (!match) throw new Error("No wf_events_process_resident_memory_bytes in /metrics");
    return Number(match[1]);
  }

  const postModel = (body: BodyInit, headers: Record<string, string>) =>
    fetch(`${server.url}/api/models`, { method: "POST", body, headers, duplex: "half" } as RequestInit);

  const modelCount = async () => ((await (await fetch(`${server.url}/api/models`)).json()) as { models: unknown[] }).models.length;

  it("adds a model from a valid JSON post", async () => {
    const response = await postModel(JSON.stringify({ value: "within the limit" }), { "content-type": "application/json; charset=utf-8" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ model_id: expect.any(Number), value: "within the limit" });
  });

  it.each([
    ["without Content-Length (chunked)", {}],
    ["with Content-Length", { "content-length": String(100 * MB) }],
  ])("answers a 100 MB post %s with 413 at once, and the server's memory does not grow", async (_label, extra: Record<string, string>) => {
    // Warm up: the route's module is loaded and a refusal has been made once before measuring.
    await postModel(" ".repeat(17 * 1024), { "content-type": "application/json" });
    const before = await serverRss();

    const upload = streamedBody(100 * MB);
    const response = await postModel(upload.body, { "content-type": "application/json", ...extra });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: { code: "too_large", message: "The body is larger than 16 KiB, the most /api/models accepts" } });
    // The answer came long before the upload could finish: the rest was never read.
    expect(upload.sent()).toBeLessThan(32 * MB);

    const after = await serverRss();
    console.info(`RSS before ${(before / MB).toFixed(1)} MB, after ${(after / MB).toFixed(1)} MB, uploaded ${(upload.sent() / MB).toFixed(1)} MB`);
    expect(Math.abs(after - before)).toBeLessThan(20 * MB);
  });

  it("refuses a cross-site style text/plain post with 415 and inserts nothing", async () => {
    const count = await modelCount();
    const response = await postModel(JSON.stringify({ value: "smuggled" }), { "content-type": "text/plain" });
    expect(response.status).toBe(415);
    expect(((await response.json()) as ErrorBody).error).toEqual({
      code: "unsupported_media_type",
      message: 'Content-Type text/plain is not accepted: /api/models takes Content-Type: application/json, such as {"value": "first"}',
    });
    expect(await modelCount()).toBe(count);
  });

  describe("the dashboard's sign-in", () => {
    const signIn = (body: BodyInit, headers: Record<string, string>) =>
      fetch(`${server.url}/api/dashboard/session`, { method: "POST", body, headers, redirect: "manual", duplex: "half" } as RequestInit);

    it("takes the token as JSON or as a plain form post", async () => {
      const json = await signIn(JSON.stringify({ token: DASHBOARD_TOKEN }), { "content-type": "application/json" });
      expect(json.status).toBe(200);
      expect(json.headers.get("set-cookie")).toMatch(/^wf_dashboard=/);
      const form = await signIn(new URLSearchParams({ token: DASHBOARD_TOKEN }), {});
      expect(form.status).toBe(303);
      expect(form.headers.get("location")).toBe("/");
      expect(form.headers.get("set-cookie")).toMatch(/^wf_dashboard=/);
    });

    it("refuses text/plain and multipart with 415, setting no cookie", async () => {
      for (const type of ["text/plain", "multipart/form-data; boundary=x"]) {
        const response = await signIn(`token=${DASHBOARD_TOKEN}`, { "content-type": type });
        expect(response.status).toBe(415);
        expect(((await response.json()) as ErrorBody).error.code).toBe("unsupported_media_type");
        expect(response.headers.get("set-cookie")).toBeNull();
      }
    });

    it("refuses a body over 4 KiB with 413", async () => {
      const upload = streamedBody(10 * MB);
      const response = await signIn(upload.body, { "content-type": "application/x-www-form-urlencoded" });
      expect(response.status).toBe(413);
      expect(((await response.json()) as ErrorBody).error).toEqual({ code: "too_large", message: "The body is larger than 4 KiB, the most /api/dashboard/session accepts" });
    });
  });
});
