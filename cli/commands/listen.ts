import { Command } from "commander";
import { formatClock } from "@/lib/dashboard/format";
import { action, examples } from "../action";
import { runContext, type Io } from "../context";
import { UsageError } from "../exit";
import { createForwarder, type DeliveryResult } from "../forwarder";
import { untilInterrupted } from "../interrupt";
import { subscribeMatching } from "../listen-names";
import { openSession } from "../session";
import type { Terminal } from "../terminal";

export function listenCommand(io: Io): Command {
  return new Command("listen")
    .summary("POST matching events to a local URL, in order")
    .description("Forward events to a local URL, like `stripe listen`: each matching event is POSTed as JSON { name, id, data }, one at a time, in order")
    .argument("<pattern...>", "events to forward: names, substrings or patterns with * (model:*), as in the dashboard's filter")
    .requiredOption("--forward-to <url>", "where to POST each event (http:// or https://)")
    .addHelpText(
      "after",
      `
Public events only, by subscription, as a browser gets them: real ids, in order, and what was
missed during a reconnect is replayed (or a gap is said on stderr). Internal events never leave
the server as events; \`tail\` shows their traces. The patterns are matched against the names the
app declares when listen starts.

Each delivery prints the target's status. A non-2xx is printed and the next event goes; when the
target cannot be reached, the same event is retried with backoff (so a target that took it and
then failed may see it twice). Ctrl-C stops.
${examples([
  ["webfluid-events listen 'model:*' --forward-to http://localhost:4000/hooks", "the model events"],
  ["webfluid-events listen demo:ping model:created --forward-to http://localhost:4000/hooks", "two names"],
])}`,
    )
    .action(
      action(async (patterns: string[], options: { forwardTo: string }, command: Command) => {
        const target = forwardTarget(options.forwardTo);
        const context = runContext(command, io);
        const { terminal } = context;
        const c = terminal.noteColor;
        const forwarder = createForwarder({
          url: target,
          onResult: (result) => terminal.out(deliveryLine(result, terminal)),
          onRetry: (delivery, error, delayMs, attempt) =>
            terminal.note(c.yellow(`POST ${target} failed (${error}): ${delivery.name} ${delivery.id} again in ${(delayMs / 1_000).toFixed(1)} s (attempt ${attempt + 1})`)),
          onDropped: (count) => terminal.note(c.red(`Dropped the ${count} oldest waiting event(s): more than 10,000 waited for ${target}`)),
        });
        const interrupted = untilInterrupted();
        // Ctrl-C while connecting ends the command too (the process exits, and the socket with it).
        const session = await Promise.race([openSession(context, { live: true, afterReconnect: "what was missed meanwhile follows from the server's history" }), interrupted.then(() => undefined)]);
        if (!session) return;
        try {
          const listening = await subscribeMatching(session.events, patterns, (event) => forwarder.push(event), ({ event, missed, reason }) =>
            terminal.note(c.yellow(`Lost ${missed ?? "an unknown number of"} ${event} event(s) (${reason === "history" ? "no longer in the server's history" : "this connection read too slowly"})`)),
          );
          if (listening.internal.length > 0) {
            terminal.note(c.dim(`Not forwarded: ${listening.internal.join(", ")} (internal: never sent to a connection as events; \`tail\` shows their traces)`));
          }
          terminal.note(c.dim(`Forwarding ${listening.names.join(", ")} to ${target}: Ctrl-C to stop`));
          await Promise.race([interrupted, session.ended]);
          if (forwarder.pending > 0) terminal.note(c.yellow(`Stopped with ${forwarder.pending} event(s) not forwarded`));
        } finally {
          forwarder.close();
          session.close();
        }
      }),
    );
}

function forwardTarget(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--forward-to is ${JSON.stringify(url)}: expected a URL such as http://localhost:4000/hooks`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new UsageError(`--forward-to is ${JSON.stringify(url)}: expected an http:// or https:// URL`);
  return parsed.href;
}

/** `12:03:07.250  model:created  6c5f2ab3-2  → 200 OK  12 ms`. */
function deliveryLine(result: DeliveryResult, terminal: Terminal): string {
  const c = terminal.color;
  const { delivery } = result;
  const answer = result.status === null ? result.error : `${result.status} ${result.statusText}`.trim();
  return [
    c.dim(formatClock(Date.now())),
    c.bold(delivery.name),
    c.cyan(delivery.id),
    `${c.dim("→")} ${(result.ok ? c.green : c.red)(answer)}`,
    c.dim(`${Math.round(result.ms)} ms`),
  ].join("  ");
}
