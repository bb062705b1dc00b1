import type { ClientOp } from "../../protocol/frames";
import type { Connection } from "../connection";
import type { InFlight } from "../in-flight";
import { connections } from "./connections";
import { describe } from "./describe";
import { disconnect } from "./disconnect";
import { monitor } from "./monitor";
import { presence } from "./presence";
import type { OpPort } from "./port";
import { ok, sendError } from "./replies";
import { request } from "./request";
import { subscribe, unsubscribe } from "./subscribe";
import { trigger } from "./trigger";

export type { OpPort } from "./port";

/**
 * Runs one op and writes its `ok` or `error`; never throws. Subscribes and unsubscribes of one
 * name run in the order they were sent; everything else runs at once. Counted in `inFlight` so
 * that a shutdown can wait for the answers.
 */
export function handleOp(port: OpPort, connection: Connection, op: ClientOp, inFlight: InFlight): Promise<void> {
  if (op.type === "subscribe" || op.type === "unsubscribe") return connection.inOrder(op.event, () => run(port, connection, op, inFlight));
  return run(port, connection, op, inFlight);
}

async function run(port: OpPort, connection: Connection, op: ClientOp, inFlight: InFlight): Promise<void> {
  inFlight.start();
  try {
    switch (op.type) {
      case "subscribe":
        return await subscribe(port, connection, op);
      case "unsubscribe":
        return unsubscribe(port, connection, op);
      case "trigger":
        return await trigger(port, connection, op);
      case "request":
        return await request(port, connection, op);
      case "describe":
        return describe(port, connection, op);
      case "ping":
        return ok(connection, op.ref, {});
      case "monitor":
        return await monitor(port, connection, op);
      case "presence":
        return await presence(port, connection, op);
      case "connections":
        return await connections(port, connection, op);
      case "disconnect":
        return await disconnect(port, connection, op);
      default:
        return unreachable(op);
    }
  } catch (error) {
    sendError(port, connection, op.ref, error);
  } finally {
    inFlight.finish();
  }
}

/** Every op type has a case above: a new one that does not is a compile error here. */
function unreachable(op: never): never {
  throw new Error(`Unhandled op ${JSON.stringify(op)}`);
}
