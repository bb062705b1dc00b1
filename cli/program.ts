import { Command, CommanderError, Option } from "commander";
import { createColors } from "picocolors";
import { version } from "../package.json";
import { examples } from "./action";
import { connectionsCommand } from "./commands/connections";
import { fireCommand } from "./commands/fire";
import { listenCommand } from "./commands/listen";
import { lsCommand } from "./commands/ls";
import { requestCommand } from "./commands/request";
import { tailCommand } from "./commands/tail";
import type { Io } from "./context";
import { ExitCode, failureOf } from "./exit";
import { DEFAULT_URL } from "./target";
import { colorEnabled } from "./terminal";

/** The `webfluid-events` program: global options, then one subcommand per power of the dashboard. */
export function buildProgram(io: Io): Command {
  const program = new Command("webfluid-events")
    .description("The Webfluid Events bus from a terminal: the developer dashboard's traffic, registry and fire panel, against a development or a production server")
    .version(version, "-V, --version", "print the version")
    .addOption(new Option("--url <url>", "the app's address").env("WEBFLUID_EVENTS_URL").default(DEFAULT_URL))
    .addOption(
      new Option("--token <token>", "a production server's dashboard token (its EVENTS_DASHBOARD_TOKEN); prefer the variable, which process lists and shell histories do not show").env(
        "WEBFLUID_EVENTS_TOKEN",
      ),
    )
    .option("--no-color", "no colours (NO_COLOR=1 does the same; piped output never has any)")
    .helpOption("-h, --help", "show the help of the program or a command")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => void io.stdout.write(text), writeErr: (text) => void io.stderr.write(text) })
    .addHelpText(
      "after",
      `
Access: a development server needs nothing. A production server needs its dashboard token,
exchanged at POST /api/events/token for a monitor token of 5 minutes (renewed as it runs).
Exit codes: 0 done, 1 the server refused or could not be reached (its code and message on
stderr), 2 the command line is wrong.
${examples([
  ["webfluid-events tail 'model:*'", "live traffic"],
  [`webfluid-events fire demo:ping '{"message":"hi"}'`, "trigger an event"],
  ["webfluid-events request model:count", "ask a query"],
  ["webfluid-events ls", "the registry"],
  ["webfluid-events listen 'model:*' --forward-to http://localhost:4000/hooks", "forward events"],
  ["WEBFLUID_EVENTS_URL=https://app.example.com WEBFLUID_EVENTS_TOKEN=… webfluid-events tail", "production"],
])}`,
    );
  for (const command of [tailCommand(io), fireCommand(io), requestCommand(io), lsCommand(io), connectionsCommand(io), listenCommand(io)]) {
    // Commands built apart inherit nothing by themselves: exit codes, help after errors and streams are the program's.
    program.addCommand(command.copyInheritedSettings(program));
  }
  return program;
}

/** Runs the CLI with `argv` (the arguments after the program's name) and resolves to its exit code. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: "user" });
    return ExitCode.Ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has said what was wrong, with the help. Asking for help or the version is no error.
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return ExitCode.Ok;
      if (error.code === "commander.help" && error.exitCode === 0) return ExitCode.Ok;
      return ExitCode.Usage;
    }
    const failure = failureOf(error);
    const color = createColors(colorEnabled(io.stderr, io.env, argv.includes("--no-color")));
    io.stderr.write(`${color.red(`error: ${failure.code}: ${failure.message}`)}\n`);
    if (failure.hint) io.stderr.write(`${color.dim(failure.hint)}\n`);
    return failure.exitCode;
  }
}
