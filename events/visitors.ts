// Who has /demo open: a presence-tracked event, and the identify hook that names each visitor.
import type { IncomingMessage } from "node:http";
import { events } from "@/lib/events";
import { watchOnly } from "./guards";
import { visitorName } from "./visitor-name";

events.createSignal("demo:here", {
  internal: false,
  presence: true,
  description: "Who has /demo open: the page subscribes with presence; each visitor's name comes from the identify hook",
  authorize: watchOnly,
});

/**
 * The name a visitor gave on /demo, from its cookie; null (anonymous) without one. A browser sets
 * this cookie itself, so the name is a label, not an identity: a real app reads its own session
 * here (and returns only what others may see: every watcher of the event receives it).
 */
export function visitorOf(request: IncomingMessage): { name: string } | null {
  const name = visitorName(request.headers.cookie);
  return name ? { name } : null;
}

events.identify(visitorOf);
