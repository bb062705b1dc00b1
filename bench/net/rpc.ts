/**
 * Control of child processes (the benchmarks' servers and clients, the soak's load): each runs in its own process,
 * forked with an IPC channel. The parent calls commands (`call`), each bounded by a timeout; the
 * child answers each with its result or its error. A child that dies or hangs fails the call, it
 * never hangs the run.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

interface Request {
  id: number;
  cmd: string;
  args: unknown;
}
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export interface ChildOptions {
  /** Extra node flags (e.g. --cpu-prof), after the inherited `--import tsx`. */
  execArgv?: string[];
  env?: Record<string, string>;
  /** Shown in errors. */
  label: string;
}

/** A forked child speaking the command protocol below. */
export class Child {
  readonly label: string;
  readonly process: ChildProcess;
  #nextId = 1;
  #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  #exited: Promise<number | null>;
  #stderr = "";

  /** Forks `script`, an absolute path. */
  constructor(script: string, options: ChildOptions) {
    this.label = options.label;
    this.process = fork(script, [], {
      execArgv: [...process.execArgv.filter((flag) => !flag.startsWith("--cpu-prof")), ...(options.execArgv ?? [])],
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "inherit", "pipe", "ipc"],
      serialization: "json",
    });
    this.process.stderr?.on("data", (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
    });
    this.process.on("message", (message) => this.#onReply(message as Reply));
    this.#exited = new Promise((resolve) => {
      this.process.once("exit", (code) => {
        for (const [, pending] of this.#pending) {
          clearTimeout(pending.timer);
          pending.reject(new Error(`${this.label} exited (code ${code}) during a command. stderr: ${this.#stderr.trim().slice(-1500)}`));
        }
        this.#pending.clear();
        resolve(code);
      });
    });
  }

  /** Forks `script` (a path relative to this folder's parent, e.g. "net/server.ts"). */
  static start(relativeScript: string, options: ChildOptions): Child {
    return new Child(fileURLToPath(new URL(`../${relativeScript}`, import.meta.url)), options);
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
      this.process.send({ id, cmd, args } satisfies Request);
    });
  }

  /** Asks the child to exit; kills it (by its own pid) if it has not within `graceMs`. */
  async stop(graceMs = 3_000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    if (this.process.connected) this.process.send({ id: 0, cmd: "exit", args: {} } satisfies Request);
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

/** In a child: answers the parent's commands with `handlers`; "exit" ends the process. */
export function serve(handlers: Record<string, Handler>, onExit?: () => void | Promise<void>): void {
  if (!process.send) throw new Error("This script is a child process: run it through its parent (bench/run.ts, reliability/soak.ts)");
  process.on("message", async (message: Request) => {
    if (message.cmd === "exit") {
      try {
        await onExit?.();
      } finally {
        process.exit(0);
      }
    }
    const handler = handlers[message.cmd];
    try {
      if (!handler) throw new Error(`unknown command "${message.cmd}"`);
      const result = await handler(message.args as never);
      process.send!({ id: message.id, ok: true, result: result ?? null } satisfies Reply);
    } catch (error) {
      process.send!({ id: message.id, ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) } satisfies Reply);
    }
  });
  // The parent went away (crashed, or was interrupted): do not linger.
  process.on("disconnect", () => process.exit(0));
}
