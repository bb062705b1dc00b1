/**
 * The second half of `npm run build` (after `next build`): compiles server.ts, with what it
 * imports from lib/ and events/, into dist/server.js — plain JavaScript that `npm start` runs with
 * `node`, no TypeScript loader in the process — bundles the browser client into dist/events.js,
 * and compiles the CLI into dist/cli.js (scripts/build-cli.ts). Packages stay in node_modules
 * (they are not bundled).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { BUILT_CLIENT_BUNDLE, bundleClient } from "../lib/app-server/client-bundle";
import { BUILT_CLI, buildCli } from "./build-cli";

const ROOT = resolve(import.meta.dirname, "..");
const started = performance.now();

await build({
  entryPoints: [join(ROOT, "server.ts")],
  outfile: join(ROOT, "dist", "server.js"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  legalComments: "none",
  logLevel: "warning",
  tsconfig: join(ROOT, "tsconfig.json"),
  banner: { js: "// Built by scripts/build-server.ts from server.ts: do not edit." },
});
mkdirSync(join(ROOT, "dist"), { recursive: true });
writeFileSync(join(ROOT, BUILT_CLIENT_BUNDLE), await bundleClient(ROOT, true));
await buildCli(ROOT);
console.log(`Compiled server.ts → dist/server.js, the browser client → ${BUILT_CLIENT_BUNDLE} and the CLI → ${BUILT_CLI} in ${Math.round(performance.now() - started)} ms`);
