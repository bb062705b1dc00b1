import type { OkResults, Ref } from "../../protocol/frames";
import { EventsError, isWireErrorCode } from "../../shared/errors";
import type { Connection } from "../connection";
import type { OpPort } from "./port";

export function ok<T extends keyof OkResults>(connection: Connection, ref: Ref, result: OkResults[T]): void {
  connection.send({ type: "ok", ref, ...result } as never);
}

/** The `error` for a failed op. Anything but an EventsError is our bug: logged, and only "it failed" is said. */
export function sendError(port: OpPort, connection: Connection, ref: Ref, error: unknown): void {
  if (error instanceof EventsError && isWireErrorCode(error.code)) {
    const message = error.code === "handler_error" && !connection.monitor ? maskInternalNames(port, error.message) : error.message;
    connection.send({ type: "error", ref, code: error.code, message });
    return;
  }
  port.logger.error({ connection: connection.id, ref, err: error }, "An op failed unexpectedly");
  connection.send({ type: "error", ref, code: "handler_error", message: "The server failed to handle this op" });
}

/**
 * A public query's handler may call internal ones, and their errors name them. Browsers never
 * see internal names, so each quoted one becomes "(internal)".
 */
function maskInternalNames(port: OpPort, message: string): string {
  let masked = message;
  for (const name of port.bus.internalNames()) {
    if (masked.includes(`"${name}"`)) masked = masked.replaceAll(`"${name}"`, '"(internal)"');
  }
  return masked;
}
