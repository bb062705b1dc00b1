import type { ConnectionsOfInstance, OkResults, WireConnection } from "@/lib/events/protocol/frames";
import type { ReplayClient } from "./recording-replay";

/**
 * What the dashboard asks of its monitor session beyond firing: the app's connections, closing
 * one, presence, and replaying a recording.
 */
export interface OperatorClient extends ReplayClient {
  connections(options: { search?: string; limit?: number }): Promise<OkResults["connections"]>;
  disconnect(connection: string, reason?: string): Promise<{ instance: string }>;
  presence(name: string): Promise<OkResults["presence"]>;
}

/** The panel's one-line summary: how many are shown of how many, and which instances did not answer. */
export function connectionsSummary(shown: number, instances: readonly ConnectionsOfInstance[], search: string): string {
  let total = 0;
  const silent: string[] = [];
  for (const instance of instances) {
    if ("error" in instance) silent.push(instance.instance);
    else total += instance.total;
  }
  const what = search ? `${shown} matching "${search}" of ${total}` : shown < total ? `${shown} newest of ${total}` : `${total}`;
  const across = instances.length > 1 ? ` across ${instances.length} instances` : "";
  const missing = silent.length ? `; no answer from ${silent.join(", ")}, whose connections are not listed` : "";
  return `${what} connection${total === 1 && !search ? "" : "s"}${across}${missing}`;
}

/** A connection's member name (from the identify hook), else a short form of its user agent. */
export function connectionLabel(connection: WireConnection): string {
  const name = connection.member?.name;
  if (typeof name === "string" && name !== "") return name;
  if (connection.monitor) return "dashboard";
  return browserOf(connection.userAgent);
}

const BROWSERS = [
  ["Edg", "Edge"],
  ["Firefox", "Firefox"],
  ["Chrome", "Chrome"],
  ["Version", "Safari"],
] as const;

/** "Chrome 130", "Firefox 128", "Safari", "node"… from a user agent; "unknown" without one. */
export function browserOf(userAgent: string | null): string {
  if (!userAgent) return "unknown client";
  // Most specific first: Edge's user agent also says Chrome, and Chrome's says Safari.
  for (const [product, name] of BROWSERS) {
    const major = new RegExp(`${product}/(\\d+)`).exec(userAgent)?.[1];
    if (major) return `${name} ${major}`;
  }
  return userAgent.slice(0, 40);
}
