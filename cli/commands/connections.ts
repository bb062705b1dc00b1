import { Command, InvalidArgumentError } from "commander";
import { action, examples } from "../action";
import { loadConnections, printConnections } from "../connections-view";
import { runContext, type Io } from "../context";
import { openSession } from "../session";

/** The server lists at most this many per instance (MAX_LISTED_CONNECTIONS). */
const MAX_LIMIT = 500;

export function connectionsCommand(io: Io): Command {
  return new Command("connections")
    .summary("the app's browser connections, on every instance")
    .description("The app's WebSocket connections on every instance: who, from where, since when, subscribed to what, and how far behind")
    .argument("[search]", "only connections whose id, origin, address, user agent, subscriptions or member info contain this (an event name also finds its pattern subscribers)")
    .option("--limit <n>", `at most this many per instance (1–${MAX_LIMIT})`, parseLimit, 200)
    .option("--json", "one connection per line as JSON (NDJSON)")
    .addHelpText(
      "after",
      examples([
        ["webfluid-events connections", "a table, newest first"],
        ["webfluid-events connections model:created", "the connections an event of that name reaches"],
        ["webfluid-events connections --json | jq -r .id", "for scripts"],
      ]),
    )
    .action(
      action(async (search: string | undefined, options: { json?: boolean; limit: number }, command: Command) => {
        const context = runContext(command, io);
        const session = await openSession(context);
        try {
          const result = await loadConnections(session.events, { ...(search ? { search } : {}), limit: options.limit });
          printConnections(result, context.terminal, { json: options.json, search });
        } finally {
          session.close();
        }
      }),
    );
}

function parseLimit(text: string): number {
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new InvalidArgumentError(`--limit must be an integer from 1 to ${MAX_LIMIT}`);
  return limit;
}
