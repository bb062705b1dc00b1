import type { PresenceOp } from "../../protocol/frames";
import { ForbiddenError } from "../../shared/errors";
import type { Connection } from "../connection";
import type { OpPort } from "./port";
import { ok } from "./replies";
import { authorize, lookup } from "./visibility";

/** Who is subscribed to a presence-tracked public event, on every instance. */
export async function presence(port: OpPort, connection: Connection, op: PresenceOp): Promise<void> {
  const declaration = lookup(port, connection, op.event, "event");
  if (!declaration.presence) throw new ForbiddenError(`"${op.event}" is not presence-tracked`);
  const authorizing = authorize(port, connection, declaration, "presence");
  if (authorizing) await authorizing;
  ok(connection, op.ref, port.bus.presence(op.event));
}
