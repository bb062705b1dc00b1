import { checkSize, toJsonText } from "../../core/json-value";
import type { RequestOp } from "../../protocol/frames";
import { describeError, HandlerError } from "../../shared/errors";
import type { Connection } from "../connection";
import { dataReply } from "../frames";
import { requireMonitorForReplay } from "./monitor-only";
import type { OpPort } from "./port";
import { authorize, lookup, sourceOf } from "./visibility";

export async function request(port: OpPort, connection: Connection, op: RequestOp): Promise<void> {
  if (op.replayOf !== undefined) requireMonitorForReplay(connection);
  const declaration = lookup(port, connection, op.query, "query");
  const authorizing = authorize(port, connection, declaration, "request", op.data);
  if (authorizing) await authorizing;
  const ceiling = port.settings.requestTimeoutMs;
  const timeout = Math.min(op.timeout ?? ceiling, ceiling);
  const result = await port.bus.request(op.query, op.data, { timeout, source: sourceOf(connection), ...(op.replayOf === undefined ? {} : { replayOf: op.replayOf }) });
  let json: string;
  try {
    json = toJsonText(result, `The result of "${op.query}"`);
  } catch (error) {
    throw new HandlerError(`Query "${op.query}" answered with a value that cannot travel as JSON: ${describeError(error)}`);
  }
  // Replies larger than a client may accept are refused with too_large.
  json = checkSize(json, port.settings.maxPayload, `The result of "${op.query}"`);
  connection.reply(dataReply(op.ref, json));
}
