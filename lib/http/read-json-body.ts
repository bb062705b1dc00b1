import { errorResponse } from "./error-response";

// Why this bounds memory behind Next: for a route handler Next hands the Node request itself to
// `new Request(…, { body })` (NextRequestAdapter.fromNodeNextRequest), which pulls from the
// socket only as `request.body` is read. Next buffers a body up front only when a proxy
// (middleware) runs, so the app has none (test/unit/no-proxy.test.ts keeps it so).

/** The media type every JSON body must declare (parameters such as `charset` may follow). */
export const JSON_MEDIA_TYPE = "application/json";
/** What an HTML `<form method="post">` sends when it has no `enctype`. */
export const FORM_MEDIA_TYPE = "application/x-www-form-urlencoded";

export interface ReadBodyOptions {
  /** The most bytes the body may have; one more and the answer is 413. */
  limit: number;
  /** The route, as refusals name it: "the most /api/models accepts". */
  route: string;
  /**
   * Also accept a plain HTML form post (`application/x-www-form-urlencoded`), parsed into an
   * object of strings (the last value of a repeated field wins).
   * @default false
   */
  form?: boolean;
  /** A valid body, quoted by the 400 and 415 answers: `{"value": "first"}`. */
  example?: string;
}

export type ReadBodyResult =
  | { ok: true; type: "json"; value: unknown }
  | { ok: true; type: "form"; value: Record<string, string> }
  /** The answer to send as it is: 400, 413 or 415 in the app's error shape. */
  | { ok: false; response: Response };

/**
 * Reads a route handler's request body, bounded: 415 unless it is JSON (or a form post, when
 * allowed), 413 at once when `Content-Length` says it is over `limit`, else it reads the stream
 * chunk by chunk and answers 413 as soon as more than `limit` bytes came (bodies without
 * `Content-Length` too); a refused body's stream is then cancelled (see `refuseRest`). So at most
 * `limit` bytes (plus one chunk) are ever held, whatever the client sends. Invalid JSON is a 400
 * `bad_request`.
 *
 * @example
 * const body = await readJsonBody(request, { limit: 16 * 1024, route: "/api/models" });
 * if (!body.ok) return body.response;
 * use(body.value);
 */
export async function readJsonBody(request: Request, options: ReadBodyOptions): Promise<ReadBodyResult> {
  const accepted = options.form ? [JSON_MEDIA_TYPE, FORM_MEDIA_TYPE] : [JSON_MEDIA_TYPE];
  const type = mediaType(request.headers.get("content-type"));
  if (type === undefined || !accepted.includes(type)) {
    discard(request.body);
    return { ok: false, response: unsupportedMediaType(type, accepted, options) };
  }
  const declared = declaredLength(request.headers.get("content-length"));
  if (declared !== undefined && declared > options.limit) {
    discard(request.body);
    return { ok: false, response: tooLarge(options) };
  }

  let bytes: Uint8Array | undefined;
  try {
    bytes = await readAtMost(request.body, options.limit);
  } catch {
    return { ok: false, response: errorResponse(400, "bad_request", "The request body could not be read to its end") };
  }
  if (bytes === undefined) return { ok: false, response: tooLarge(options) };

  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, response: errorResponse(400, "bad_request", "The request body is not valid UTF-8") };
  }
  if (type === FORM_MEDIA_TYPE) return { ok: true, type: "form", value: Object.fromEntries(new URLSearchParams(text)) };
  try {
    return { ok: true, type: "json", value: JSON.parse(text) as unknown };
  } catch {
    const message = options.example ? `The request body must be JSON, such as ${options.example}` : "The request body must be JSON";
    return { ok: false, response: errorResponse(400, "bad_request", message) };
  }
}

/**
 * The body's bytes, or undefined once more than `limit` arrived: the rest is then refused
 * (dropped, never kept) by `refuseRest`.
 */
async function readAtMost(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array | undefined> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > limit) {
      refuseRest(reader);
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** A refused body is not read: what is left of it is dropped, then the stream is cancelled. */
function discard(body: ReadableStream<Uint8Array> | null): void {
  if (body === null || body.locked) return;
  refuseRest(body.getReader());
}

/**
 * How long, and how many bytes, of a refused body are still read and dropped before its stream
 * is cancelled.
 */
export const REFUSAL_GRACE = { ms: 1_000, bytes: 1024 * 1024 };

/**
 * Cancels a refused body's stream, but not at once: cancelling aborts the request (on Node the
 * connection closes as soon as the answer is written), and a client still uploading then meets
 * a reset (EPIPE) before it reads the 413 — measured behind Next 16.4 on Node 20: every one of
 * 24 posts of 100 MB failed so when cancelled at once, none with this grace. So what arrives
 * meanwhile is read and dropped (nothing is kept: memory stays bounded) until the
 * client, having read the answer, stops sending, or for at most REFUSAL_GRACE; then the stream
 * is cancelled. Runs in the background: the answer does not wait for it.
 */
function refuseRest(reader: ReadableStreamDefaultReader<Uint8Array>): void {
  const cancel = () => reader.cancel("body refused").catch(() => undefined);
  const timer = setTimeout(cancel, REFUSAL_GRACE.ms);
  timer.unref?.();
  void (async () => {
    let dropped = 0;
    try {
      while (dropped <= REFUSAL_GRACE.bytes) {
        const { done, value } = await reader.read();
        if (done) return;
        dropped += value.byteLength;
      }
    } catch {
      // The client went away: nothing left to refuse.
    } finally {
      clearTimeout(timer);
      await cancel();
    }
  })();
}

/** `application/json; charset=utf-8` → `application/json`; undefined when absent or empty. */
function mediaType(header: string | null): string | undefined {
  const type = header?.split(";", 1)[0]!.trim().toLowerCase();
  return type ? type : undefined;
}

/** A well-formed Content-Length, else undefined (then only the bytes read count). */
function declaredLength(header: string | null): number | undefined {
  return header !== null && /^\d+$/.test(header.trim()) ? Number(header.trim()) : undefined;
}

function tooLarge(options: ReadBodyOptions): Response {
  return errorResponse(413, "too_large", `The body is larger than ${formatBytes(options.limit)}, the most ${options.route} accepts`);
}

function unsupportedMediaType(type: string | undefined, accepted: string[], options: ReadBodyOptions): Response {
  const wanted = accepted.length === 1 ? `Content-Type: ${accepted[0]}` : `Content-Type: ${accepted.slice(0, -1).join(", ")} or ${accepted.at(-1)} (a form post)`;
  const example = options.example && accepted.length === 1 ? `, such as ${options.example}` : "";
  const given = type === undefined ? "A body without a Content-Type" : `Content-Type ${type}`;
  return errorResponse(415, "unsupported_media_type", `${given} is not accepted: ${options.route} takes ${wanted}${example}`, { accept: accepted.join(", ") });
}

/** 16384 → "16 KiB", 1536 → "1536 bytes". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
