import { Command } from "commander";
import { formatAgo } from "@/lib/dashboard/format";
import { applyDescribe, groupRegistry, type RegistryEntry } from "@/lib/dashboard/registry";
import { action, examples } from "../action";
import { runContext, type Io } from "../context";
import { openSession } from "../session";
import { formatTable, type Column, type Cell } from "../table";
import type { Colors } from "../terminal";

/** A description longer than this is cut in the table (`--json` has it whole). */
const DESCRIPTION_CHARS = 60;

const COLUMNS: Column[] = [
  { header: "NAME" },
  { header: "KIND" },
  { header: "FLAGS" },
  { header: "HANDLERS", align: "right" },
  { header: "SUBSCRIBERS", align: "right" },
  { header: "COUNT", align: "right" },
  { header: "ERRORS", align: "right" },
  { header: "LAST" },
  { header: "DESCRIPTION" },
];

export function lsCommand(io: Io): Command {
  return new Command("ls")
    .summary("the registry: names, kinds, flags, handlers, counters")
    .description("The registry: every event and query with its kind, flags, handlers, browser subscribers and counters")
    .argument("[pattern]", "names to list: a substring, or a pattern with * (model:*), as in the dashboard's search")
    .option("--json", "one name per line as JSON (NDJSON), with its description and JSON Schema")
    .addHelpText(
      "after",
      `
Internal names are included (marked in FLAGS), grouped by prefix as the dashboard groups them.
COUNT and ERRORS are the triggers (events) or requests (queries) since the server started.
${examples([
  ["webfluid-events ls", "everything"],
  ["webfluid-events ls 'model:*'", "the model events and queries"],
  ["webfluid-events ls --json | jq -r 'select(.internal) | .name'", "the internal names"],
])}`,
    )
    .action(
      action(async (pattern: string | undefined, options: { json?: boolean }, command: Command) => {
        const context = runContext(command, io);
        const session = await openSession(context);
        try {
          const now = Date.now();
          const registry = applyDescribe({}, await session.events.describe(), now);
          const entries = groupRegistry(registry, pattern ?? "").flatMap((group) => group.entries);
          const { terminal } = context;
          if (options.json) {
            for (const entry of entries) terminal.out(JSON.stringify(entryJson(entry)));
          } else if (entries.length > 0) {
            for (const line of formatTable(COLUMNS, entries.map((entry) => entryCells(entry, now, terminal.color)), terminal.color)) terminal.out(line);
          }
          if (entries.length === 0) terminal.note(pattern ? `No name matches ${JSON.stringify(pattern)}` : "The app declares no events or queries");
        } finally {
          session.close();
        }
      }),
    );
}

/** What `--json` prints of an entry: the declaration and the server's counters (no client-side rate). */
function entryJson(entry: RegistryEntry) {
  const { name, kind, internal, singleton, description, schema, handlers, subscribers, count, errors, lastAt } = entry;
  return { name, kind, internal, singleton, description, schema, handlers, subscribers, count, errors, lastAt };
}

function entryCells(entry: RegistryEntry, now: number, c: Colors): Cell[] {
  const flags = [entry.internal ? "internal" : "public", ...(entry.singleton ? ["singleton"] : [])].join(" ");
  const description = entry.description ?? "";
  return [
    { text: entry.name, paint: c.bold },
    entry.kind,
    { text: flags, paint: entry.internal ? c.dim : undefined },
    String(entry.handlers),
    entry.kind === "event" ? String(entry.subscribers) : "—",
    String(entry.count),
    { text: String(entry.errors), paint: entry.errors > 0 ? c.red : undefined },
    formatAgo(entry.lastAt, now),
    { text: description.length > DESCRIPTION_CHARS ? `${description.slice(0, DESCRIPTION_CHARS - 1)}…` : description, paint: c.dim },
  ];
}
