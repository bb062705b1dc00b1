import { Command, Option } from "commander";
import { action, examples, milliseconds } from "../action";
import { runContext, type Io } from "../context";
import { fire } from "../fire-client";
import { readPayload } from "../payload";
import { openSession } from "../session";

export function requestCommand(io: Io): Command {
  return new Command("request")
    .summary("ask a query and print its reply as JSON")
    .description("Ask a query, any name (internal ones too), and print its reply as JSON")
    .argument("<name>", "the query")
    .argument("[json]", "the argument as JSON, quoted for the shell; without one the query gets none")
    .option("--data-file <file>", "read the argument from a file (- reads stdin)")
    .addOption(new Option("--timeout <ms>", "how long to wait for the reply (the server may cap it: EVENTS_REQUEST_TIMEOUT)").argParser(milliseconds))
    .addHelpText(
      "after",
      `
The reply goes to stdout as JSON: indented on a terminal, one line when piped. A singleton query
replies with its handler's value, any other with the list of every handler's value. An error
(not_found, no_handler, handler_error, timeout…) goes to stderr with exit code 1.
${examples([
  ["webfluid-events request model:count", "a number"],
  ["webfluid-events request health:check | jq '.[].component'", "every handler's answer"],
  ["webfluid-events request report:summary --timeout 2000", "wait 2 s at most"],
])}`,
    )
    .action(
      action(async (name: string, json: string | undefined, options: { dataFile?: string; timeout?: number }, command: Command) => {
        const context = runContext(command, io);
        const payload = await readPayload(json, options.dataFile);
        const session = await openSession(context);
        try {
          const outcome = await fire(session.events, "request", name, payload, { timeout: options.timeout });
          if (outcome.kind !== "request") return;
          const reply = outcome.result === undefined ? null : outcome.result;
          context.terminal.out(JSON.stringify(reply, null, context.terminal.interactive ? 2 : undefined));
        } finally {
          session.close();
        }
      }),
    );
}
