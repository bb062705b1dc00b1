import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

/** The SECRET_KEY servers started here get unless the test gives another: tests mint monitor tokens with it. */
export const APP_SERVER_SECRET_KEY = "integration-test-secret-key";

export interface AppServer {
  url: string;
  port: number;
  /** Every line the server printed so far (JSON log lines in production mode). */
  lines: string[];
  /** The parsed JSON log records so far. */
  records(): Record<string, unknown>[];
  /** Waits for a log record matching `predicate`. */
  waitForRecord(predicate: (record: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  process: ChildProcess;
  /** SIGTERM, then SIGKILL after a grace period; resolves to the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** The project folder to serve (a copy, say: see project-copy.ts). @default the repository */
  cwd?: string;
  /** @default a fresh temporary SQLite file */
  databasePath?: string;
  timeoutMs?: number;
}

/**
 * Starts the production server (dist/server.js, as `npm start` does) on a free port, in its own
 * process group; with `NODE_ENV=development` in `env`, the development server (server.ts through
 * tsx, as `npm run dev` does).
 */
export async function startAppServer(options: StartOptions = {}): Promise<AppServer> {
  const cwd = options.cwd ?? ROOT;
  const production = (options.env?.NODE_ENV ?? "production") === "production";
  if (production && !(existsSync(join(cwd, ".next", "BUILD_ID")) && existsSync(join(cwd, "dist", "server.js")))) {
    throw new Error("No production build in .next/ and dist/: run `npm run build` first (`npm test` does it before these tests)");
  }
  const databasePath = options.databasePath ?? join(mkdtempSync(join(tmpdir(), "wf-db-")), "app.db");
  const child = spawn(process.execPath, production ? ["--enable-source-maps", "dist/server.js"] : ["--import", "tsx", "server.ts"], {
    cwd,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      HOST: "127.0.0.1",
      PORT: "0",
      SECRET_KEY: APP_SERVER_SECRET_KEY,
      LOG_FORMAT: "json",
      LOG_LEVEL: "info",
      DATABASE_PATH: databasePath,
      ...options.env,
    },
  });
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    for (const listener of listeners) listener();
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<number | null>((resolveExit) => child.once("exit", (code) => resolveExit(code)));

  const records = () =>
    lines.flatMap((line) => {
      try {
        const parsed: unknown = JSON.parse(line);
        return typeof parsed === "object" && parsed !== null ? [parsed as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });

  const waitForRecord = (predicate: (record: Record<string, unknown>) => boolean, timeoutMs = 10_000) =>
    new Promise<Record<string, unknown>>((resolveRecord, reject) => {
      const check = () => {
        const found = records().find(predicate);
        if (found) {
          done();
          resolveRecord(found);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`Timed out waiting for a log record; the server printed:\n${lines.join("\n")}`));
      }, timeoutMs);
      const onExit = () => {
        done();
        reject(new Error(`The server exited; it printed:\n${lines.join("\n")}`));
      };
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
        child.off("exit", onExit);
      };
      listeners.add(check);
      child.once("exit", onExit);
      check();
    });

  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    try {
      process.kill(-child.pid!, signal);
    } catch {
      return child.exitCode;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  try {
    const ready = await waitForRecord((record) => typeof record.msg === "string" && record.msg.startsWith("Ready on"), options.timeoutMs ?? 60_000);
    const url = String(ready.url);
    return { url, port: Number(new URL(url).port), lines, records, waitForRecord, process: child, stop };
  } catch (error) {
    await stop("SIGKILL");
    throw error;
  }
}
