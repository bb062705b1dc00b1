import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { waitFor } from "./wait-for";

const ROOT = resolve(import.meta.dirname, "../..");
/** The command as package.json's "bin" names it: the launcher, which runs the compiled dist/cli.js. */
export const CLI_BIN = resolve(ROOT, "cli/bin.js");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  /** Written to the CLI's stdin, which is then closed. */
  input?: string;
  timeoutMs?: number;
}

/** The environment a user's shell would give: none of ours that the CLI reads, no colours forced. */
function cliEnv(env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const key of ["WEBFLUID_EVENTS_URL", "WEBFLUID_EVENTS_TOKEN", "WEBFLUID_EVENTS_FROM_SOURCE", "FORCE_COLOR", "NO_COLOR"]) delete base[key];
  return { ...base, ...env };
}

/** A CLI process that keeps running (tail, listen): its output so far, and a Ctrl-C. */
export interface LiveCli {
  process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Complete stdout lines so far. */
  lines(): string[];
  /** Waits until stderr contains `text`. */
  waitForStderr(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Sends SIGINT (Ctrl-C) and resolves to the exit code. */
  interrupt(): Promise<number | null>;
  kill(): void;
  /** Resolves to the exit code once the process ended and its output is read. */
  closed: Promise<number | null>;
}

export function startCli(args: readonly string[], options: CliOptions = {}): LiveCli {
  const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd: ROOT, env: cliEnv(options.env), stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  if (options.input !== undefined) child.stdin!.end(options.input);
  else child.stdin!.end();
  // "close" comes after the exit and the last bytes of its output.
  const closed = new Promise<number | null>((resolveClose) => child.once("close", (code) => resolveClose(code)));
  return {
    process: child,
    stdout: () => stdout,
    stderr: () => stderr,
    lines: () => stdout.split("\n").slice(0, -1),
    async waitForStderr(text, timeoutMs = 10_000) {
      await waitFor(
        () => (typeof text === "string" ? stderr.includes(text) : text.test(stderr)) || (child.exitCode !== null ? Promise.reject(new Error(`The CLI exited ${child.exitCode}: ${stderr}`)) : false),
        `the CLI to say ${String(text)} (it said: ${stderr})`,
        timeoutMs,
      );
    },
    async interrupt() {
      if (child.exitCode === null) child.kill("SIGINT");
      return closed;
    },
    kill: () => void child.kill("SIGKILL"),
    closed,
  };
}

/** Runs the CLI to its end. */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const live = startCli(args, options);
  const timer = setTimeout(() => live.kill(), options.timeoutMs ?? 30_000);
  const code = await live.closed;
  clearTimeout(timer);
  return { code, stdout: live.stdout(), stderr: live.stderr() };
}
