import type { Command } from "commander";
import { resolveTarget, type Target } from "./target";
import { createTerminal, type Env, type Stream, type Terminal } from "./terminal";

/** What the CLI runs against: its streams and environment (the process's, or a test's). */
export interface Io {
  stdout: Stream;
  stderr: Stream;
  env: Env;
}

/** The options every command takes (declared once, on the program). */
export interface GlobalOptions {
  url: string;
  token?: string;
  /** False with --no-color. */
  color: boolean;
}

/** What a command's action works with. */
export interface RunContext {
  target: Target;
  dashboardToken: string | undefined;
  terminal: Terminal;
}

/** Reads the global options as given to `command` (before or after its name) and the environment. */
export function runContext(command: Command, io: Io): RunContext {
  const options = command.optsWithGlobals<GlobalOptions>();
  const terminal = createTerminal(io.stdout, io.stderr, io.env, { noColor: options.color === false });
  const target = resolveTarget(options.url);
  const dashboardToken = options.token === "" ? undefined : options.token;
  if (dashboardToken && target.origin.startsWith("http:") && !isLoopback(new URL(target.origin).hostname)) {
    terminal.note(terminal.noteColor.yellow(`Warning: the dashboard token goes to ${target.origin} over plain HTTP; use https:// beyond this machine`));
  }
  return { target, dashboardToken, terminal };
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname.endsWith(".localhost") || hostname === "[::1]" || /^127\./.test(hostname);
}
