import { createHash } from "node:crypto";
import type { DisconnectOp } from "../../protocol/frames";
import { NotFoundError } from "../../shared/errors";
import type { Connection } from "../connection";
import type { DisconnectCommand } from "../connection-commands";
import { INSTANCE_COMMAND_TIMEOUT_MS } from "./connections";
import { requireMonitor } from "./monitor-only";
import type { OpPort } from "./port";
import { ok } from "./replies";

/** The internal event every disconnect from a dashboard leaves behind: who closed what, and why. */
export const DISCONNECTED_EVENT = "wf:disconnected";

/** What `wf:disconnected` carries. */
export interface DisconnectedRecord {
  connection: string;
  instance: string;
  reason: string;
  /** The monitor connection that asked, and a fingerprint of its dashboard session (never the session itself). */
  by: { connection: string; session: string | null };
}

/**
 * Monitor sessions: closes a browser connection, on whichever instance holds it, with 4100 and
 * the reason (its client reconnects and recovers as after any drop), then triggers the internal
 * `wf:disconnected` so that the traffic list says who did it.
 */
export async function disconnect(port: OpPort, connection: Connection, op: DisconnectOp): Promise<void> {
  requireMonitor(connection, op.type);
  const command: DisconnectCommand = { connection: op.connection, reason: `disconnected from the dashboard${op.reason ? `: ${op.reason}` : ""}` };
  const replies = await port.bus.askInstances<{ closed: boolean }>("disconnect", command, INSTANCE_COMMAND_TIMEOUT_MS);
  const holder = replies.find((reply) => reply.ok && reply.value.closed);
  if (!holder) {
    const silent = replies.filter((reply) => !reply.ok).map((reply) => reply.instance);
    const unanswered = silent.length ? ` (instances ${silent.join(", ")} did not answer)` : "";
    throw new NotFoundError(`No open connection "${op.connection}" on any instance${unanswered}`);
  }
  const session = port.monitors.sessionOf(connection);
  const record: DisconnectedRecord = {
    connection: op.connection,
    instance: holder.instance,
    reason: op.reason ?? "",
    by: { connection: connection.id, session: session ? createHash("sha256").update(session).digest("base64url").slice(0, 10) : null },
  };
  await port.bus.trigger(DISCONNECTED_EVENT, record, { source: "monitor" });
  ok(connection, op.ref, { instance: holder.instance });
}
