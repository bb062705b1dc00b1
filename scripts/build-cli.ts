/**
 * Compiles the CLI (cli/main.ts, with what it takes from lib/ and its packages) into one file,
 * dist/cli.js: plain JavaScript that cli/bin.js runs with node, so that `webfluid-events` starts
 * without a TypeScript loader. Unlike the server's build, the packages (commander, picocolors,
 * ws) are bundled too: resolving them and reading CommonJS from ESM cost a short command about
 * 100 ms of its start on this 2-core machine. `npm run build` runs it (from build-server.ts), and
 * so do `npm ci` and `npm install` (the `prepare` script), so the command works right after
 * installing.
 *
 *   node --import tsx scripts/build-cli.ts
 */
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

/** Where the compiled CLI goes, from the app's root. */
export const BUILT_CLI = "dist/cli.js";

export async function buildCli(root: string): Promise<void> {
  await build({
    entryPoints: [join(root, "cli", "main.ts")],
    outfile: join(root, BUILT_CLI),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // ws loads these native speed-ups when they are installed, and does without them otherwise.
    external: ["bufferutil", "utf-8-validate"],
    legalComments: "none",
    logLevel: "warning",
    tsconfig: join(root, "tsconfig.json"),
    // The bundled CommonJS packages `require` Node's own modules: an ES module has no `require` of its own.
    banner: { js: '// Built by scripts/build-cli.ts from cli/: do not edit.\nimport { createRequire } from "node:module";\nconst require = createRequire(import.meta.url);' },
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const started = performance.now();
  await buildCli(resolve(import.meta.dirname, ".."));
  console.log(`Compiled the CLI → ${BUILT_CLI} in ${Math.round(performance.now() - started)} ms`);
}
