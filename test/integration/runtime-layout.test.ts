import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/test/support/app-server";
import { RawClient } from "@/test/support/transport-harness";

const ROOT = resolve(import.meta.dirname, "../..");
const DOCKERFILE = readFileSync(join(ROOT, "Dockerfile"), "utf8");

/** The runtime stage's COPY lines, as [source under /app, destination under /app]. Any other shape fails: update this test with the Dockerfile. */
function runtimeCopies(): [string, string][] {
  const stage = DOCKERFILE.split(/^FROM .* AS runtime$/m)[1];
  if (stage === undefined) throw new Error("Dockerfile: no `FROM … AS runtime` stage");
  return stage
    .split("\n")
    .filter((line) => line.startsWith("COPY"))
    .map((line) => {
      const match = /^COPY --from=build \/app\/(\S+) \.\/(\S+)$/.exec(line);
      if (!match || match[1] !== match[2]) throw new Error(`Dockerfile: a runtime COPY this test does not reproduce: ${line}`);
      return [match[1]!, match[2]!];
    });
}

/** What the build stage removes from .next after building (`rm -rf .next/…`). */
function removedFromNext(): string[] {
  const removal = /rm -rf ((?:\.next\/\S+ ?)+)/.exec(DOCKERFILE);
  if (!removal) throw new Error("Dockerfile: no `rm -rf .next/…` after the build");
  return removal[1]!.trim().split(/\s+/);
}

/**
 * The packages `npm prune --omit=dev` keeps: the lockfile's top-level entries not marked `dev`
 * (nor `devOptional`: proving the server starts without those too), which carry their nested
 * node_modules along. Optional ones for other platforms are not installed here, nor there.
 */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([path, entry]) => /^node_modules\/(@[^/]+\/)?[^/@][^/]*$/.test(path) && !entry.dev && !entry.devOptional)
    .map(([path]) => path)
    .filter((path) => existsSync(join(ROOT, path)));
}

/** Hard links (node_modules is never written at run time): a copy of 120 packages in a moment. */
function linkPackages(into: string): void {
  const byParent = new Map<string, string[]>();
  for (const path of productionPackages()) {
    const parent = dirname(path);
    byParent.set(parent, [...(byParent.get(parent) ?? []), path]);
  }
  for (const [parent, paths] of byParent) {
    mkdirSync(join(into, parent), { recursive: true });
    execFileSync("cp", ["-al", ...paths.map((path) => join(ROOT, path)), join(into, parent)]);
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((file) => statSync(join(dir, file)).isFile());
}

describe("the container's runtime layout", () => {
  let copy: string;
  let server: AppServer;
  beforeAll(async () => {
    expect(DOCKERFILE).toContain("npm prune --omit=dev");
    expect(removedFromNext()).toEqual(expect.arrayContaining([".next/cache"]));
    const removed = removedFromNext().map((path) => join(ROOT, path));
    copy = mkdtempSync(join(tmpdir(), "wf-runtime-"));
    for (const [source, destination] of runtimeCopies()) {
      if (source === "node_modules") linkPackages(join(copy));
      else cpSync(join(ROOT, source), join(copy, destination), { recursive: true, filter: (from) => !removed.some((path) => from === path || from.startsWith(`${path}/`)) });
    }
    server = await startAppServer({ cwd: copy, env: { EXT_EVENTS: "1" } });
  });
  afterAll(async () => {
    await server?.stop();
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  it("copies the compiled server, Next's build and the production packages, and nothing else", () => {
    expect(runtimeCopies().map(([source]) => source).sort()).toEqual([".next", "dist", "next.config.mjs", "node_modules", "package.json", "webfluid.ini"]);
    expect(readdirSync(copy).sort()).toEqual([".next", "dist", "next.config.mjs", "node_modules", "package.json", "webfluid.ini"]);
  });

  it("holds no TypeScript source and resolves no dev dependency", () => {
    const sources = [...filesUnder(join(copy, "dist")), ...filesUnder(join(copy, ".next"))].filter((file) => /\.tsx?$/.test(file) && !file.endsWith(".d.ts"));
    expect(sources).toEqual([]);
    const resolveFromCopy = createRequire(join(copy, "package.json")).resolve;
    const devDependencies = Object.keys((JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies);
    expect(devDependencies).toEqual(expect.arrayContaining(["tsx", "typescript", "esbuild", "pino-pretty"]));
    const resolvable = devDependencies.filter((name) => {
      try {
        resolveFromCopy(name);
        return true;
      } catch {
        return false;
      }
    });
    expect(resolvable).toEqual([]);
  });

  it("starts with node alone and answers /healthz and /readyz", async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it("serves the pages, the client script, the demo's SQLite route and /ws/events", async () => {
    const demo = await fetch(`${server.url}/demo`);
    expect(demo.status).toBe(200);
    expect(await demo.text()).toContain("Models");
    expect((await fetch(`${server.url}/`)).status).toBe(200);
    expect((await fetch(`${server.url}/events.js`)).status).toBe(200);
    const created = await fetch(`${server.url}/api/models`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ value: "from the runtime layout" }) });
    expect(created.status).toBe(200);
    const client = await RawClient.open(`${server.url.replace("http", "ws")}/ws/events`);
    expect(await client.op({ type: "describe" })).toMatchObject({ type: "ok" });
    client.terminate();
    expect(server.lines.filter((line) => /Cannot find (module|package)|ERR_MODULE_NOT_FOUND/.test(line))).toEqual([]);
  });
});
