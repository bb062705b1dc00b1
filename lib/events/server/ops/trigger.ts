import type { TriggerOp } from "../../protocol/frames";
import { ForbiddenError } from "../../shared/errors";
import type { Connection } from "../connection";
import type { OpPort } from "./port";
import { requireMonitorForReplay } from "./monitor-only";
import { ok } from "./replies";
import { authorize, lookup, sourceOf } from "./visibility";

export async function trigger(port: OpPort, connection: Connection, op: TriggerOp): Promise<void> {
  if (op.fromRecording) refuseRecordingReplay(port, connection, op.event);
  if (op.replayOf !== undefined) requireMonitorForReplay(connection);
  const declaration = lookup(port, connection, op.event, "event");
  const authorizing = authorize(port, connection, declaration, "trigger", op.data);
  if (authorizing) await authorizing;
  const report = await port.bus.trigger(op.event, op.data, { source: sourceOf(connection), ...(op.replayOf === undefined ? {} : { replayOf: op.replayOf }) });
  ok(connection, op.ref, { id: report.id, handlers: report.handlers, failed: report.failed, delivered: report.delivered });
}

/** A recording replays into development servers only, from a dashboard. */
function refuseRecordingReplay(port: OpPort, connection: Connection, name: string): void {
  if (!connection.monitor) throw new ForbiddenError(`"fromRecording" is for monitor sessions only (the dashboard's Replay recording): send a "monitor" op with a token first`);
  if (!port.recordingReplay) {
    throw new ForbiddenError(`Replaying a recording (here "${name}") is for development servers: this one runs in production, where a recording's triggers would reach real users`);
  }
}
