import { errorInfo } from "@/lib/dashboard/fire";

/** The exit codes, the same for every command. */
export const ExitCode = {
  /** Done as asked (or ended with Ctrl-C). */
  Ok: 0,
  /** The server refused or failed (its code and message are on stderr), or it could not be reached. */
  Failed: 1,
  /** The command line itself is wrong: an unknown command or option, a missing argument, a payload that is not JSON. */
  Usage: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A failure the CLI reports as one line on stderr, `error: <code>: <message>`, then exits with
 * `exitCode`. `code` is the server's error code when the server said no (`not_found`,
 * `unauthorized`…), else one of the CLI's own (`unreachable`, `bad_usage`…).
 */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  /** A second line for people: what to do about it. */
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { exitCode?: ExitCode; hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "CliError";
    this.code = code;
    this.exitCode = options.exitCode ?? ExitCode.Failed;
    this.hint = options.hint;
  }
}

/** The command line is wrong: exit 2, with the command's help. */
export class UsageError extends CliError {
  constructor(message: string) {
    super("bad_usage", message, { exitCode: ExitCode.Usage });
    this.name = "UsageError";
  }
}

/**
 * The code and message of anything a command threw: the client's errors carry the protocol's
 * code (`not_found`, `timeout`, `disconnected`…); anything else is the CLI's own failure.
 */
export function failureOf(error: unknown): { code: string; message: string; exitCode: ExitCode; hint: string | undefined } {
  if (error instanceof CliError) return { code: error.code, message: error.message, exitCode: error.exitCode, hint: error.hint };
  return { ...errorInfo(error), exitCode: ExitCode.Failed, hint: undefined };
}
