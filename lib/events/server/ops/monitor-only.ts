import type { ClientOpType } from "../../protocol/frames";
import { ForbiddenError } from "../../shared/errors";
import type { Connection } from "../connection";

/** Ops that look at or act on other people's connections are for monitor sessions (dashboards) only. */
export function requireMonitor(connection: Connection, op: ClientOpType): void {
  if (!connection.monitor) throw new ForbiddenError(`"${op}" is for monitor sessions only: send a "monitor" op with a token first`);
}

/** Marking a trigger or request as a replay is the dashboard's: a browser may not write into its traces. */
export function requireMonitorForReplay(connection: Connection): void {
  if (!connection.monitor) throw new ForbiddenError('"replayOf" is for monitor sessions only (the dashboard\'s Replay)');
}
