import { Command } from "commander";
import { action, examples } from "../action";
import { loadConnections, printConnections } from "../connections-view";
import { runContext, type Io } from "../context";
import { openSession } from "../session";

export function connectionsCommand(io: Io): Command {
  return new Command("connections")
    .summary("the app's connections, per instance")
    .description("The app's WebSocket connections: per instance, its browser connections, monitors and subscriptions")
    .option("--json", "one instance per line as JSON (NDJSON)")
    .addHelpText(
      "after",
      `
For now this is the cluster as a monitor's describe gives it (one line per instance); a listing
of each connection comes when the server offers one to monitors.
${examples([
  ["webfluid-events connections", "a table"],
  ["webfluid-events connections --json | jq .connections", "the counts, for scripts"],
])}`,
    )
    .action(
      action(async (options: { json?: boolean }, command: Command) => {
        const context = runContext(command, io);
        const session = await openSession(context);
        try {
          const view = await loadConnections(session.events);
          printConnections(view, context.terminal, { json: options.json, self: session.events.stateDetail.instance });
        } finally {
          session.close();
        }
      }),
    );
}
