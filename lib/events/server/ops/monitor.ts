import type { MonitorOp } from "../../protocol/frames";
import { UnauthorizedError } from "../../shared/errors";
import type { Connection } from "../connection";
import { verifyMonitorToken } from "../monitor-token";
import type { OpPort } from "./port";
import { ok } from "./replies";

/**
 * Makes the connection a monitor until the token expires; a monitor sends a fresh token before
 * then to stay one. A token of a signed-out dashboard session is refused like an invalid one.
 */
export async function monitor(port: OpPort, connection: Connection, op: MonitorOp): Promise<void> {
  const check = verifyMonitorToken(op.token, port.settings.secretKey, { dashboardToken: port.settings.dashboardToken });
  if (!check.ok) {
    const why = check.reason === "expired" ? "has expired: fetch a new one" : "is not valid";
    throw new UnauthorizedError(`The monitor token ${why}`);
  }
  if (check.session !== "" && !(await port.monitors.isSessionLive(check.session))) {
    throw new UnauthorizedError("The monitor token's dashboard session has ended: sign in again");
  }
  if (!connection.open) return;
  port.monitors.grant(connection, { session: check.session, expiresAt: check.expiresAt }, op.traces === "batched");
  const { instance, startedAt } = port.server;
  ok(connection, op.ref, { instance, startedAt, expiresAt: check.expiresAt, expiresIn: check.expiresAt - Date.now() });
}
