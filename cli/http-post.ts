import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";

/** What came back: the status and the body as text. */
export interface HttpAnswer {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface PostOptions {
  headers?: Record<string, string>;
  body?: string;
  /** The whole exchange, from connecting to the last byte of the answer. */
  timeoutMs: number;
  /** Aborting gives up at once (the promise rejects with an AbortError). */
  signal?: AbortSignal;
}

/** Answers longer than this are cut: the CLI reads small JSON answers, and drains the rest. @default 1 MiB */
const MAX_BODY = 1024 * 1024;

/**
 * One POST with node:http(s), redirects not followed. The CLI's only HTTP client: `fetch` would
 * load undici, which costs more of a short command's start (~150 ms on a busy 2-core machine)
 * than everything else it loads together. Rejects with the socket's error (its message names
 * the cause: `connect ECONNREFUSED 127.0.0.1:3000`), or a TimeoutError.
 */
export function post(url: string, options: PostOptions): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers["content-length"] = String(Buffer.byteLength(options.body));
    const request = send(target, { method: "POST", headers, signal: options.signal }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        if (size < MAX_BODY) chunks.push(chunk);
        size += chunk.length;
      });
      response.on("end", () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? "", headers: response.headers, body: Buffer.concat(chunks).toString("utf8").slice(0, MAX_BODY) });
      });
      response.on("error", fail);
    });
    const timer = setTimeout(() => {
      const error = new Error(`No answer within ${options.timeoutMs / 1_000} s`);
      error.name = "TimeoutError";
      request.destroy(error);
    }, options.timeoutMs);
    function fail(error: Error): void {
      clearTimeout(timer);
      reject(error);
    }
    request.on("error", fail);
    request.end(options.body);
  });
}
