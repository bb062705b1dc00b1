import { Command, Option } from "commander";
import { toTraceRow } from "@/lib/dashboard/trace-row";
import type { TraceFrame } from "@/lib/events/client";
import { action, examples } from "../action";
import { runContext, type Io } from "../context";
import { untilInterrupted } from "../interrupt";
import { openSession } from "../session";
import { traceHeader, traceLine } from "../trace-line";
import { tailMatcher, type TailFilters } from "../trace-match";

interface TailOptions {
  kind?: TailFilters["kind"];
  source?: string;
  outcome?: TailFilters["outcome"];
  json?: boolean;
}

export function tailCommand(io: Io): Command {
  return new Command("tail")
    .summary("live traffic, one line per trace (internal names too)")
    .description("Live traffic as the dashboard sees it, internal names included: one line per trigger and request, until Ctrl-C")
    .argument("[pattern...]", "names to keep: a substring, or a pattern with * (model:*), as in the dashboard's filter; a trace matching any is kept")
    .addOption(new Option("--kind <kind>", "only triggers, or only requests").choices(["trigger", "request"]))
    .option("--source <source>", "only what came from: server, client (any browser), monitor (a dashboard or this CLI), or client:<connection>")
    .addOption(new Option("--outcome <outcome>", "only successes, or only failures").choices(["ok", "error"]))
    .option("--json", "one trace per line as JSON (NDJSON): the trace records the dashboard receives (docs/protocol.md)")
    .addHelpText(
      "after",
      `
Each line: time, kind, name, source, handlers that ran, browsers reached, duration, outcome and
the payload (a request's reply after →). Coloured on a terminal, plain when piped (NO_COLOR or
--no-color turn colours off). A lost connection is retried, and said on stderr, as are traces the
server dropped because this terminal read too slowly.
${examples([
  ["webfluid-events tail", "everything"],
  ["webfluid-events tail 'model:*' --outcome error", "failures of model events"],
  ["webfluid-events tail --kind request --source client", "requests from browsers"],
  ["webfluid-events tail --json | jq .durationMs", "the trace records, for other tools"],
])}`,
    )
    .action(
      action(async (patterns: string[], options: TailOptions, command: Command) => {
        const context = runContext(command, io);
        const { terminal } = context;
        const c = terminal.noteColor;
        const matches = tailMatcher({ patterns, kind: options.kind, source: options.source, outcome: options.outcome });
        let seen = 0;
        let shown = 0;
        const print = (trace: TraceFrame) => {
          const row = toTraceRow(trace, ++seen, Date.now());
          if (!matches(row)) return;
          if (options.json) terminal.out(JSON.stringify(trace));
          else {
            if (shown === 0 && terminal.interactive) terminal.out(traceHeader(terminal.color));
            terminal.out(traceLine(row, terminal.color));
          }
          shown++;
        };
        const interrupted = untilInterrupted();
        // Ctrl-C while connecting ends the command too (the process exits, and the socket with it).
        const session = await Promise.race([openSession(context, { onTrace: print, live: true, afterReconnect: "traces of the time between are not replayed" }), interrupted.then(() => undefined)]);
        if (!session) return;
        session.events.onGap(({ event, missed }) => {
          if (event !== "*") return;
          terminal.note(c.yellow(`The server dropped ${missed ?? "an unknown number of"} traces for this terminal: it read them too slowly`));
        });
        const instance = session.events.stateDetail.instance;
        terminal.note(c.dim(`Tailing ${context.target.origin}${instance ? ` (instance ${instance})` : ""}: Ctrl-C to stop`));
        try {
          await Promise.race([interrupted, session.ended]);
          terminal.note(c.dim(`Stopped: ${shown} of ${seen} traces shown`));
        } finally {
          session.close();
        }
      }),
    );
}
