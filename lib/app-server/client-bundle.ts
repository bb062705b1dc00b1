import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";

/** The browser client's entry, from the app's folder. */
const ENTRY = "lib/events/client/browser.ts";
/** Where `npm run build` writes the production bundle, from the app's folder. */
export const BUILT_CLIENT_BUNDLE = "dist/events.js";

export interface ClientBundle {
  code: string;
  etag: string;
}

/**
 * Bundles the browser client (lib/events/client/browser.ts) into one classic script. The
 * production build writes it to dist/events.js; the development server bundles it in memory at
 * startup. esbuild is loaded only here, so the production server does not need it.
 */
export async function bundleClient(root: string, minify: boolean): Promise<string> {
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: [join(root, ENTRY)],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2020",
    minify,
    write: false,
    legalComments: "none",
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

export function clientBundleOf(code: string): ClientBundle {
  return { code, etag: `"${createHash("sha256").update(code).digest("base64url").slice(0, 22)}"` };
}

/** The bundle `npm run build` wrote; a missing one says how to make it. */
export function loadBuiltClientBundle(root: string): ClientBundle {
  const path = join(root, BUILT_CLIENT_BUNDLE);
  if (!existsSync(path)) throw new Error(`No browser client bundle at ${path}: run \`npm run build\` first`);
  return clientBundleOf(readFileSync(path, "utf8"));
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
