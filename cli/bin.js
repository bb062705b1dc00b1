#!/usr/bin/env node
// The `webfluid-events` command (package.json "bin"). It runs the compiled CLI, dist/cli.js, which
// `npm ci`/`npm install` (the "prepare" script) and `npm run build` make: no TypeScript loader on
// every run. Without it (installed with --ignore-scripts, or WEBFLUID_EVENTS_FROM_SOURCE=1 while
// working on the CLI), the sources run through tsx: slower to start, and it says so.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const compiled = new URL("../dist/cli.js", import.meta.url);
if (process.env.WEBFLUID_EVENTS_FROM_SOURCE !== "1" && existsSync(compiled)) {
  await import(compiled.href);
} else {
  if (process.env.WEBFLUID_EVENTS_FROM_SOURCE !== "1") {
    process.stderr.write("webfluid-events: dist/cli.js is missing (npm run build:cli makes it); running the TypeScript sources through tsx\n");
  }
  let register;
  try {
    ({ register } = await import("tsx/esm/api"));
  } catch {
    process.stderr.write("webfluid-events: cannot run: dist/cli.js is missing and tsx is not installed. Run `npm ci` (or `npm run build:cli`) in the app's folder.\n");
    process.exit(1);
  }
  register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
  await import(new URL("./main.ts", import.meta.url).href);
}
