/**
 * How fast the production server starts and how much memory it holds: `npm start` is spawned
 * (5 times by default), /readyz polled until 200, three pages loaded, then the RSS of the server
 * process (the node process under npm) read from /proc. Prints each start and the medians.
 *
 * Run: `npm run build && node --import tsx bench/startup.ts [--runs 5] [--command "npm start"]`
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { median } from "./stats";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? fallback : (args[index + 1] ?? fallback);
};
const runs = Number(option("runs", "5"));
const command = option("command", "npm start");

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Every descendant of `pid` (Linux /proc). */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    for (const task of readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean)) children.push(Number(task));
  } catch {
    return [];
  }
  children = children.flatMap((child) => [child, ...descendants(child)]);
  return children;
}

function rssMB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((text) => text.startsWith("VmRSS:"));
  return Number(line?.split(/\s+/)[1] ?? NaN) / 1024;
}

function commandLine(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
}

async function once(): Promise<{ readyMs: number; rssMB: number; server: string }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(command, {
    shell: true,
    detached: true,
    stdio: "ignore",
    env: { ...process.env, HOST: "127.0.0.1", PORT: String(port), SECRET_KEY: "startup-benchmark-secret-0123456789", NEXT_TELEMETRY_DISABLED: "1", LOG_LEVEL: "warn" },
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    for (;;) {
      if (performance.now() - started > 60_000) throw new Error(`${command} was not ready within 60 s`);
      const status = await fetch(`${url}/readyz`).then((response) => response.status, () => 0);
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const readyMs = performance.now() - started;
    for (const path of ["/", "/demo", "/api/models"]) await (await fetch(`${url}${path}`)).text();
    // The server is the node process that has the most memory among the command's processes.
    const pids = [child.pid!, ...descendants(child.pid!)].filter((pid) => commandLine(pid).includes("node"));
    const server = pids.map((pid) => ({ pid, rss: rssMB(pid) })).sort((a, b) => b.rss - a.rss)[0]!;
    return { readyMs, rssMB: server.rss, server: commandLine(server.pid) };
  } finally {
    process.kill(-child.pid!, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

const results: Awaited<ReturnType<typeof once>>[] = [];
for (let run = 0; run < runs; run++) {
  const result = await once();
  results.push(result);
  console.log(`start ${run + 1}: ready in ${result.readyMs.toFixed(0)} ms, RSS after 3 pages ${result.rssMB.toFixed(1)} MB`);
}
console.log(`server process: ${results[0]!.server}`);
console.log(`median of ${runs}: ready in ${median(results.map((r) => r.readyMs)).toFixed(0)} ms, RSS ${median(results.map((r) => r.rssMB)).toFixed(1)} MB  (${command})`);
