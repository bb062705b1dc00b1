import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { waitFor } from "@/test/support/wait-for";

const ROOT = resolve(import.meta.dirname, "../..");

/** The node processes under `pid` (Linux /proc), `pid` included. */
function processTree(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return [pid, ...children.flatMap(processTree)];
}

const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);

describe("npm start", () => {
  it("runs the compiled server with node: no TypeScript loader in its arguments or among the modules it loads", async () => {
    const lines: string[] = [];
    // NODE_DEBUG makes Node name every module it loads (CommonJS and ES modules) on stderr.
    const child = spawn("npm", ["start"], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, HOST: "127.0.0.1", PORT: "0", SECRET_KEY: "compiled-server-test-secret", LOG_FORMAT: "json", NODE_DEBUG: "module,esm" },
    });
    const collect = (chunk: Buffer) => lines.push(...chunk.toString("utf8").split("\n"));
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    try {
      const ready = await waitFor(() => lines.find((line) => line.includes('"msg":"Ready on')), "the server to be ready", 60_000);
      const url = (JSON.parse(ready) as { url: string }).url;
      expect((await fetch(`${url}/`)).status).toBe(200);
      expect((await fetch(`${url}/api/models`)).status).toBe(200);

      const servers = processTree(child.pid!).map(commandLine).filter((args) => args[0]?.endsWith("node"));
      expect(servers).toEqual([[expect.stringMatching(/node$/), "--enable-source-maps", "dist/server.js"]]);
      const loaded = new Set(lines.flatMap((line) => [...line.matchAll(/(?:file:\/\/|load ")(\/[^"\s)']+)/g)].map((match) => match[1]!)));
      expect(loaded.size).toBeGreaterThan(100);
      expect([...loaded].some((path) => path.endsWith("/dist/server.js"))).toBe(true);
      expect([...loaded].filter((path) => path.includes("/node_modules/tsx/") || /\.(ts|tsx|mts|cts)$/.test(path))).toEqual([]);
    } finally {
      process.kill(-child.pid!, "SIGTERM");
      await new Promise((done) => child.once("exit", done));
    }
  });
});
