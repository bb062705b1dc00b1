/**
 * The soak's load runs in child processes (like bench/net/rpc.ts): forked with an IPC channel,
 * answering commands. Every call is bounded by a timeout, and a child that dies fails its calls
 * instead of hanging the run.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

interface Command {
  id: number;
  cmd: string;
  args: unknown;
}
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export class Child {
  readonly label: string;
  readonly process: ChildProcess;
  #nextId = 1;
  #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  #exited: Promise<number | null>;
  #stderr = "";

  /** Forks `script`, a file of this folder (e.g. "soak-clients.ts"). */
  constructor(script: string, label: string, env: Record<string, string> = {}) {
    this.label = label;
    this.process = fork(fileURLToPath(new URL(script, import.meta.url)), [], {
      execArgv: ["--import", "tsx", "--max-old-space-size=1024"],
      env: { ...process.env, ...env },
      stdio: ["ignore", "inherit", "pipe", "ipc"],
      serialization: "advanced",
    });
    this.process.stderr?.on("data", (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
    });
    this.process.on("message", (message) => this.#onReply(message as Reply));
    this.#exited = new Promise((resolve) => {
      this.process.once("exit", (code) => {
        for (const pending of this.#pending.values()) {
          clearTimeout(pending.timer);
          pending.reject(new Error(`${this.label} exited (code ${code}). stderr: ${this.#stderr.trim().slice(-1500)}`));
        }
        this.#pending.clear();
        resolve(code);
      });
    });
  }

  call<T = unknown>(cmd: string, args: unknown = {}, timeoutMs = 30_000): Promise<T> {
    if (this.process.exitCode !== null || !this.process.connected) {
      return Promise.reject(new Error(`${this.label} is not running. stderr: ${this.#stderr.trim().slice(-1500)}`));
    }
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${this.label}: "${cmd}" timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.process.send({ id, cmd, args } satisfies Command);
    });
  }

  /** Asks the child to exit; kills it (its own pid only) if it has not within `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    if (this.process.connected) this.process.send({ id: 0, cmd: "exit", args: {} } satisfies Command);
    const timer = setTimeout(() => this.process.kill("SIGKILL"), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  #onReply(reply: Reply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    clearTimeout(pending.timer);
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(new Error(`${this.label}: ${reply.error}`));
  }
}

type Handler = (args: never) => unknown;

/** In a child: answers the parent's commands; "exit" ends the process; so does losing the parent. */
export function serve(handlers: Record<string, Handler>): void {
  if (!process.send) throw new Error("This script is a child of reliability/soak.ts: run `npm run soak`");
  process.on("message", async (message: Command) => {
    if (message.cmd === "exit") process.exit(0);
    const handler = handlers[message.cmd];
    try {
      if (!handler) throw new Error(`unknown command "${message.cmd}"`);
      const result = await handler(message.args as never);
      process.send!({ id: message.id, ok: true, result: result ?? null } satisfies Reply);
    } catch (error) {
      process.send!({ id: message.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies Reply);
    }
  });
  process.on("disconnect", () => process.exit(0));
}
