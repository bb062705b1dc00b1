import { createColors } from "picocolors";

export type Colors = ReturnType<typeof createColors>;

/** Environment variables, as the process has them (or a test gives them). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Where a command writes: stdout for results, stderr for everything else; each with its own colours. */
export interface Terminal {
  /** Writes one line of results to stdout. */
  out(line: string): void;
  /** Writes one line to stderr: progress, notices, errors. */
  note(line: string): void;
  /** Colours for stdout's lines (all identity when stdout is not a colour terminal). */
  readonly color: Colors;
  /** Colours for stderr's lines. */
  readonly noteColor: Colors;
  /** stdout is a terminal (not a pipe or a file): headers, pretty JSON. */
  readonly interactive: boolean;
  /** How wide stdout is, when it is a terminal. */
  readonly columns: number | undefined;
}

export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Colour only on a terminal, never with NO_COLOR set (https://no-color.org) or `--no-color`, and
 * never on TERM=dumb; FORCE_COLOR (not "0") turns it on anywhere. Decided here, not by picocolors'
 * own guess, which also colours piped output whenever CI is set.
 */
export function colorEnabled(stream: Stream, env: Env, noColorFlag = false): boolean {
  if (noColorFlag || (env.NO_COLOR ?? "") !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}

export function createTerminal(stdout: Stream, stderr: Stream, env: Env, options: { noColor?: boolean } = {}): Terminal {
  return {
    out: (line) => void stdout.write(`${line}\n`),
    note: (line) => void stderr.write(`${line}\n`),
    color: createColors(colorEnabled(stdout, env, options.noColor)),
    noteColor: createColors(colorEnabled(stderr, env, options.noColor)),
    interactive: stdout.isTTY === true,
    columns: stdout.isTTY ? stdout.columns : undefined,
  };
}
