import type { TriggerOp } from "../../protocol/frames";
import type { Connection } from "../connection";
import type { OpPort } from "./port";
import { requireMonitorForReplay } from "./monitor-only";
import { ok } from "./replies";
import { authorize, lookup, sourceOf } from "./visibility";

export async function trigger(port: OpPort, connection: Connection, op: TriggerOp): Promise<void> {
  if (op.replayOf !== undefined) requireMonitorForReplay(connection);
  const declaration = lookup(port, connection, op.event, "event");
  const authorizing = authorize(port, connection, declaration, "trigger", op.data);
  if (authorizing) await authorizing;
  const report = await port.bus.trigger(op.event, op.data, { source: sourceOf(connection), ...(op.replayOf === undefined ? {} : { replayOf: op.replayOf }) });
  ok(connection, op.ref, { id: report.id, handlers: report.handlers, failed: report.failed, delivered: report.delivered });
}
