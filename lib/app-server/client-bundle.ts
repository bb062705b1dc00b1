import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ENTRY = fileURLToPath(new URL("../events/client/browser.ts", import.meta.url));

export interface ClientBundle {
  code: string;
  etag: string;
}

/**
 * Bundles the browser client (lib/events/client/browser.ts) into one classic script, in memory,
 * when the server starts: no build artefact to forget, and the served code always matches the
 * server's protocol.
 */
export async function buildClientBundle(minify: boolean): Promise<ClientBundle> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2020",
    minify,
    write: false,
    legalComments: "none",
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.text;
  return { code, etag: `"${createHash("sha256").update(code).digest("base64url").slice(0, 22)}"` };
}

/** Serves the bundle with revalidation: browsers keep it and ask again with If-None-Match. */
export function serveClientBundle(bundle: ClientBundle, request: IncomingMessage, response: ServerResponse): void {
  const headers = {
    "content-type": "text/javascript; charset=utf-8",
    "cache-control": "no-cache",
    etag: bundle.etag,
    "x-content-type-options": "nosniff",
  };
  if (request.headers["if-none-match"] === bundle.etag) {
    response.writeHead(304, headers).end();
    return;
  }
  response.writeHead(200, headers).end(request.method === "HEAD" ? undefined : bundle.code);
}
