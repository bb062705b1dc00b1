import type { AuthorizeAction, Declaration, Kind } from "../../core/declarations";
import { ForbiddenError } from "../../shared/errors";
import type { Connection } from "../connection";
import type { OpPort } from "./port";

const PUBLIC_ONLY = (declaration: Declaration): boolean => !declaration.internal;

/** Finds a name the way this connection may see it: browsers never see internal names. */
export function lookup(port: OpPort, connection: Connection, name: string, kind: Kind): Declaration {
  return port.bus.lookup(name, kind, connection.monitor ? undefined : PUBLIC_ONLY);
}

/**
 * The name's authorize hook, for browsers (a monitor session is trusted). Undefined, nothing to
 * wait for, when no hook applies: most ops, and the hot path.
 */
export function authorize(port: OpPort, connection: Connection, declaration: Declaration, action: AuthorizeAction, data?: unknown): Promise<void> | undefined {
  if (connection.monitor || !declaration.authorize) return undefined;
  return askHook(port, connection, declaration, declaration.authorize, action, data);
}

async function askHook(
  port: OpPort,
  connection: Connection,
  declaration: Declaration,
  hook: NonNullable<Declaration["authorize"]>,
  action: AuthorizeAction,
  data: unknown,
): Promise<void> {
  let allowed: boolean;
  try {
    allowed = await hook(action, { name: declaration.name, connection: connection.info, data });
  } catch (error) {
    port.logger.error({ event: declaration.name, action, connection: connection.id, err: error }, `The authorize hook of "${declaration.name}" threw`);
    allowed = false;
  }
  if (allowed !== true) throw new ForbiddenError(`Not allowed to ${action} "${declaration.name}"`);
}

/** How a connection's ops are named in traces and `events.context()`. */
export function sourceOf(connection: Connection): "monitor" | `client:${string}` {
  return connection.monitor ? "monitor" : `client:${connection.id}`;
}
