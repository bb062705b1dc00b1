import { Command } from "commander";
import { summarize } from "@/lib/dashboard/fire";
import { action, examples } from "../action";
import { runContext, type Io } from "../context";
import { fire } from "../fire-client";
import { readPayload } from "../payload";
import { openSession } from "../session";

export function fireCommand(io: Io): Command {
  return new Command("fire")
    .summary("trigger an event (internal ones too)")
    .description("Trigger an event, any name (internal ones too, as the dashboard can), and print its id, handlers and browsers reached")
    .argument("<name>", "the event")
    .argument("[json]", "the payload as JSON, quoted for the shell; without one the event carries no data")
    .option("--data-file <file>", "read the payload from a file (- reads stdin)")
    .option("--json", "print the report as one line of JSON: { id, name, handlers, failed, delivered }")
    .addHelpText(
      "after",
      `
An unknown name is refused with the server's "did you mean"; a payload its schema rejects, with
the field. Exit code 0 when the event was triggered (even if a handler failed: the report says
so), 1 when the server refused, 2 for a payload that is not JSON.
${examples([
  [`webfluid-events fire demo:ping '{"message":"hi"}'`, "every page on /demo shows it"],
  [`webfluid-events fire cache:warmed '{"region":"eu-west","keys":3}'`, "an internal event"],
  ["webfluid-events fire model:created --data-file model.json", "the payload from a file"],
  [`echo '{"message":"hi"}' | webfluid-events fire demo:ping --data-file -`, "from stdin"],
])}`,
    )
    .action(
      action(async (name: string, json: string | undefined, options: { dataFile?: string; json?: boolean }, command: Command) => {
        const context = runContext(command, io);
        const payload = await readPayload(json, options.dataFile);
        const session = await openSession(context);
        try {
          const outcome = await fire(session.events, "trigger", name, payload);
          if (outcome.kind !== "trigger") return;
          const { terminal } = context;
          const c = terminal.color;
          if (options.json) {
            terminal.out(JSON.stringify({ id: outcome.id, name: outcome.name, handlers: outcome.handlers, failed: outcome.failed, delivered: outcome.delivered }));
            return;
          }
          const summary = summarize(outcome);
          terminal.out(`${c.bold(name)}  ${c.cyan(outcome.id)}  ${outcome.failed ? c.yellow(summary) : summary}  ${c.dim(`${Math.round(outcome.latencyMs)} ms`)}`);
        } finally {
          session.close();
        }
      }),
    );
}
