import { afterEach, describe, expect, it, vi } from "vitest";
import { formatBytes, readJsonBody, REFUSAL_GRACE, type ReadBodyOptions } from "./read-json-body";

const LIMIT = 16 * 1024;
const OPTIONS: ReadBodyOptions = { limit: LIMIT, route: "/api/models", example: '{"value": "first"}' };

/**
 * A body stream that counts what was pulled from it and whether it was cancelled. After its
 * chunks it ends, or with `then: "stall"` it waits forever, like a client still uploading.
 */
function countingBody(chunks: Iterable<Uint8Array>, { then = "end" }: { then?: "end" | "stall" } = {}) {
  const probe = { pulled: 0, cancelled: false };
  const source = chunks[Symbol.iterator]();
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = source.next();
        if (next.done) return then === "end" ? controller.close() : new Promise<void>(() => {});
        probe.pulled += next.value.byteLength;
        controller.enqueue(next.value);
      },
      cancel() {
        probe.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, probe };
}

/** Endless 1 KiB chunks: a client that would upload forever. */
function* endless(): Generator<Uint8Array> {
  for (;;) yield new Uint8Array(1024).fill(0x20);
}

/** `count` chunks of `size` bytes of spaces (valid JSON whitespace). */
const spaces = (count: number, size: number) => Array.from({ length: count }, () => new Uint8Array(size).fill(0x20));
const utf8 = (text: string) => new TextEncoder().encode(text);

function post(body: ReadableStream<Uint8Array> | string | null, headers: Record<string, string>): Request {
  return new Request("http://app.test/api/models", { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

async function refusal(result: Awaited<ReturnType<typeof readJsonBody>>) {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result)}`);
  return { status: result.response.status, headers: result.response.headers, body: (await result.response.json()) as { error: { code: string; message: string } } };
}

describe("readJsonBody", () => {
  describe("a JSON body within the limit", () => {
    it("is parsed, with or without a charset parameter", async () => {
      for (const type of ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"]) {
        expect(await readJsonBody(post('{"value":"first"}', { "content-type": type }), OPTIONS)).toEqual({ ok: true, type: "json", value: { value: "first" } });
      }
    });

    it("is accepted at exactly the limit, read as a stream without Content-Length", async () => {
      const { stream } = countingBody([utf8('{"value":"x"}'), ...spaces(1, LIMIT - 13)]);
      const result = await readJsonBody(post(stream, { "content-type": "application/json" }), OPTIONS);
      expect(result).toEqual({ ok: true, type: "json", value: { value: "x" } });
    });

    it("is accepted at exactly the limit with a Content-Length saying so", async () => {
      const text = `{"value":"${"v".repeat(LIMIT - 12)}"}`;
      expect(text).toHaveLength(LIMIT);
      const result = await readJsonBody(post(text, { "content-type": "application/json", "content-length": String(LIMIT) }), OPTIONS);
      expect(result).toMatchObject({ ok: true, value: { value: expect.any(String) } });
    });
  });

  describe("a body over the limit", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it("is refused with 413 at once when Content-Length says so, without waiting for a byte", async () => {
      vi.useFakeTimers();
      const { stream, probe } = countingBody([], { then: "stall" });
      const result = await refusal(await readJsonBody(post(stream, { "content-type": "application/json", "content-length": String(LIMIT + 1) }), OPTIONS));
      expect(result.status).toBe(413);
      expect(result.body).toEqual({ error: { code: "too_large", message: "The body is larger than 16 KiB, the most /api/models accepts" } });
      expect(probe.pulled).toBe(0);
      await vi.advanceTimersByTimeAsync(REFUSAL_GRACE.ms);
      expect(probe.cancelled).toBe(true);
    });

    it("is refused with 413 as soon as a chunked body passes the limit, without waiting for its end", async () => {
      vi.useFakeTimers();
      const chunks = spaces(LIMIT / 1024 + 1, 1024); // one chunk past the limit, then the client stalls
      const { stream, probe } = countingBody(chunks, { then: "stall" });
      const result = await refusal(await readJsonBody(post(stream, { "content-type": "application/json" }), OPTIONS));
      expect(result.status).toBe(413);
      expect(result.body.error.code).toBe("too_large");
      expect(probe.cancelled).toBe(false);
      await vi.advanceTimersByTimeAsync(REFUSAL_GRACE.ms);
      expect(probe.cancelled).toBe(true);
      expect(probe.pulled).toBe(LIMIT + 1024);
    });

    it("drops at most REFUSAL_GRACE.bytes more of an endless body, keeping none, then cancels it", async () => {
      const { stream, probe } = countingBody(endless());
      const result = await refusal(await readJsonBody(post(stream, { "content-type": "application/json" }), OPTIONS));
      expect(result.status).toBe(413);
      await vi.waitFor(() => expect(probe.cancelled).toBe(true));
      expect(probe.pulled).toBeLessThanOrEqual(LIMIT + REFUSAL_GRACE.bytes + 2 * 1024);
    });

    it("is refused by what arrives even when Content-Length claims less", async () => {
      const { stream, probe } = countingBody(endless());
      const result = await refusal(await readJsonBody(post(stream, { "content-type": "application/json", "content-length": "10" }), OPTIONS));
      expect(result.status).toBe(413);
      await vi.waitFor(() => expect(probe.cancelled).toBe(true));
    });

    it("one byte over the limit is over", async () => {
      const { stream } = countingBody([utf8("{}"), ...spaces(1, LIMIT - 1)]);
      expect((await refusal(await readJsonBody(post(stream, { "content-type": "application/json" }), OPTIONS))).status).toBe(413);
    });
  });

  describe("content types", () => {
    it.each([
      ["text/plain", "text/plain;charset=UTF-8"],
      ["a form post", "application/x-www-form-urlencoded"],
      ["multipart", "multipart/form-data; boundary=x"],
      ["a JSON-like type", "application/merge-patch+json"],
    ])("refuses %s with 415, naming what is accepted, without reading the body", async (_label, type) => {
      const { stream, probe } = countingBody(endless());
      const result = await refusal(await readJsonBody(post(stream, { "content-type": type }), OPTIONS));
      expect(result.status).toBe(415);
      expect(result.body.error).toEqual({
        code: "unsupported_media_type",
        message: `Content-Type ${type.split(";")[0]!.toLowerCase()} is not accepted: /api/models takes Content-Type: application/json, such as {"value": "first"}`,
      });
      expect(result.headers.get("accept")).toBe("application/json");
      await vi.waitFor(() => expect(probe.cancelled).toBe(true));
    });

    it("refuses a body without a Content-Type with 415", async () => {
      const request = new Request("http://app.test/api/models", { method: "POST", body: new Uint8Array([0x7b, 0x7d]) });
      expect(request.headers.get("content-type")).toBeNull();
      const result = await refusal(await readJsonBody(request, OPTIONS));
      expect(result.status).toBe(415);
      expect(result.body.error.message).toMatch(/^A body without a Content-Type is not accepted/);
    });

    it("accepts a form post where forms are allowed, and still nothing else", async () => {
      const options = { limit: 4096, route: "/api/dashboard/session", form: true };
      const form = await readJsonBody(post("token=abc%20def&other=1", { "content-type": "application/x-www-form-urlencoded" }), options);
      expect(form).toEqual({ ok: true, type: "form", value: { token: "abc def", other: "1" } });
      expect(await readJsonBody(post('{"token":"abc"}', { "content-type": "application/json" }), options)).toEqual({ ok: true, type: "json", value: { token: "abc" } });
      for (const type of ["text/plain", "multipart/form-data; boundary=x"]) {
        const result = await refusal(await readJsonBody(post("token=abc", { "content-type": type }), options));
        expect(result.status).toBe(415);
        expect(result.body.error.message).toContain("takes Content-Type: application/json or application/x-www-form-urlencoded (a form post)");
      }
    });

    it("bounds form posts like JSON", async () => {
      const { stream, probe } = countingBody(endless());
      const result = await refusal(await readJsonBody(post(stream, { "content-type": "application/x-www-form-urlencoded" }), { limit: 4096, route: "/api/dashboard/session", form: true }));
      expect(result.status).toBe(413);
      expect(result.body.error.message).toBe("The body is larger than 4 KiB, the most /api/dashboard/session accepts");
      await vi.waitFor(() => expect(probe.cancelled).toBe(true));
    });
  });

  describe("bodies that are not JSON", () => {
    it.each([
      ["invalid JSON", "value=first"],
      ["an empty body", ""],
    ])("answer 400 bad_request for %s, quoting the example", async (_label, body) => {
      const result = await refusal(await readJsonBody(post(body, { "content-type": "application/json" }), OPTIONS));
      expect(result.status).toBe(400);
      expect(result.body).toEqual({ error: { code: "bad_request", message: 'The request body must be JSON, such as {"value": "first"}' } });
    });

    it("answer 400 for bytes that are not UTF-8", async () => {
      const { stream } = countingBody([new Uint8Array([0x22, 0xff, 0x22])]);
      const result = await refusal(await readJsonBody(post(stream, { "content-type": "application/json" }), OPTIONS));
      expect(result.body).toEqual({ error: { code: "bad_request", message: "The request body is not valid UTF-8" } });
    });

    it("answer 400 when the body breaks off", async () => {
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.error(new Error("the client went away"));
        },
      });
      const result = await refusal(await readJsonBody(post(stream, { "content-type": "application/json" }), OPTIONS));
      expect(result.status).toBe(400);
    });
  });
});

describe("formatBytes", () => {
  it("names whole KiB and MiB, else bytes", () => {
    expect([formatBytes(16 * 1024), formatBytes(4096), formatBytes(1024 * 1024), formatBytes(1536), formatBytes(10)]).toEqual(["16 KiB", "4 KiB", "1 MiB", "1536 bytes", "10 bytes"]);
  });
});
