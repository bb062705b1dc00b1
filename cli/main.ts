/**
 * The CLI's entry: `webfluid-events …` (cli/bin.js runs the compiled dist/cli.js, built from this
 * file by scripts/build-cli.ts). Everything but results goes to stderr; the exit code is the
 * command's (0 done, 1 refused or unreachable, 2 bad usage).
 */
import { createColors } from "picocolors";
import { errorInfo } from "@/lib/dashboard/fire";
import type { Io } from "./context";
import { runCli } from "./program";
import { colorEnabled } from "./terminal";

const io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env };

// `webfluid-events tail | head` closes stdout early: that is the reader's way of saying "enough".
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});
if (process.env.WEBFLUID_EVENTS_DEBUG !== "1") routeLibraryReports(io);

const code = await runCli(process.argv.slice(2), io);
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
// The socket's close handshake and keep-alive connections need not hold the terminal.
process.exit(code);

/**
 * The client library reports what it cannot throw (a failed token renewal, an odd frame) on the
 * console, with stacks; here each report is one dim line on stderr (WEBFLUID_EVENTS_DEBUG=1 keeps
 * the console as it is).
 */
function routeLibraryReports({ stderr, env }: Io): void {
  const color = createColors(colorEnabled(stderr, env, process.argv.includes("--no-color")));
  const text = (value: unknown) => {
    if (!(value instanceof Error)) return String(value);
    const { code, message } = errorInfo(value);
    return code === "error" ? message : `${code}: ${message}`;
  };
  const report = (...values: unknown[]) => void stderr.write(`${color.dim(values.map(text).join(" "))}\n`);
  console.error = report;
  console.warn = report;
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => (stream.writableNeedDrain ? stream.once("drain", () => resolve()) : resolve()));
}
