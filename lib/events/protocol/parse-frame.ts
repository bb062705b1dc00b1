import type { ServerFrame } from "./frames";

/**
 * Reads a server frame on the client. Returns undefined for anything that is not a frame of
 * protocol v1 (the client logs it and carries on; a newer server may add frame types).
 */
export function parseServerFrame(text: string): ServerFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const frame = value as Record<string, unknown>;
  switch (frame.type) {
    case "welcome":
      return typeof frame.connection === "string" && typeof frame.heartbeat === "number" ? (frame as unknown as ServerFrame) : undefined;
    case "event":
      return typeof frame.event === "string" && typeof frame.id === "string" ? (frame as unknown as ServerFrame) : undefined;
    case "gap":
      return typeof frame.event === "string" ? (frame as unknown as ServerFrame) : undefined;
    case "ok":
      return typeof frame.ref === "string" || typeof frame.ref === "number" ? (frame as unknown as ServerFrame) : undefined;
    case "error":
      return typeof frame.code === "string" && typeof frame.message === "string" ? (frame as unknown as ServerFrame) : undefined;
    case "trace":
    case "traces":
      // One record, or a monitor's batch of them (kept to one check: this is in every page's bundle).
      return typeof frame.name === "string" || Array.isArray(frame.traces) ? (frame as unknown as ServerFrame) : undefined;
    case "join":
    case "leave": {
      const member = frame.member as { connection?: unknown } | null | undefined;
      return typeof frame.event === "string" && typeof member?.connection === "string" ? (frame as unknown as ServerFrame) : undefined;
    }
    default:
      return undefined;
  }
}
