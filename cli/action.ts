import { InvalidArgumentError, type Command } from "commander";
import { ExitCode, UsageError } from "./exit";

/**
 * A command's action. A UsageError it throws is reported as commander reports its own (the
 * message, then the command's help) and exits 2; anything else goes to main's error report.
 */
export function action<A extends unknown[]>(run: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    const command = args[args.length - 1] as Command;
    try {
      await run(...args);
    } catch (error) {
      if (error instanceof UsageError) command.error(`error: ${error.message}`, { exitCode: ExitCode.Usage, code: "bad_usage" });
      throw error;
    }
  };
}

/** The `Examples:` section of a command's help: each example under a comment that says what it does. */
export function examples(lines: readonly [command: string, what: string][]): string {
  return `\nExamples:\n${lines.map(([command, what]) => `  # ${what}\n  $ ${command}`).join("\n")}\n`;
}

/** Parses a positive whole number of milliseconds (commander reports the error, exit 2). */
export function milliseconds(value: string): number {
  const ms = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(ms) || ms < 1) throw new InvalidArgumentError("expected a whole number of milliseconds, at least 1");
  return ms;
}
