import { MAX_LISTED_CONNECTIONS, MAX_NAME_LENGTH, MAX_REF_LENGTH, type ClientOp, type ClientOpType, type Ref, type SinceByName } from "./frames";
import { isPattern, parsePattern } from "./name-pattern";

/** What the server makes of one text frame: an op, or why it is not one (with its ref, when readable). */
export type ParsedOp = { ok: true; op: ClientOp } | { ok: false; ref: Ref | null; message: string };

const OP_TYPES: readonly ClientOpType[] = ["subscribe", "unsubscribe", "trigger", "request", "describe", "ping", "monitor", "presence", "connections", "disconnect"];
const MAX_SINCE_LENGTH = 128;
/** Names a pattern's `since` may list (a pattern matches at most this many names a client can have seen). */
const MAX_SINCE_NAMES = 1_000;
const MAX_TOKEN_LENGTH = 4096;
const MAX_TIMEOUT_MS = 600_000;
const MAX_SEARCH_LENGTH = 200;
/** Connection ids are 8 characters today; a little room for other servers' ids. */
const MAX_CONNECTION_ID_LENGTH = 64;
/** A close frame's reason has at most 123 bytes; the server prefixes what it was given. */
export const MAX_DISCONNECT_REASON_BYTES = 80;

/**
 * Reads a client frame. Never throws: every way a frame can be wrong becomes a message naming
 * the field, so the server can answer `bad_request` and keep the connection.
 */
export function parseClientOp(text: string): ParsedOp {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail(null, "Unreadable frame: not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail(null, "A frame must be a JSON object");
  const frame = value as Record<string, unknown>;
  const ref = frame.ref;
  const refProblem = checkRef(ref);
  if (refProblem) return fail(null, refProblem);
  const validRef = ref as Ref;
  const type = frame.type;
  if (typeof type !== "string") return fail(validRef, 'Missing "type": a string such as "subscribe"');
  switch (type) {
    case "subscribe": {
      const event = readSubscribable(frame);
      if (typeof event !== "string") return fail(validRef, event.problem);
      const presence = frame.presence;
      if (presence !== undefined && presence !== null && typeof presence !== "boolean") return fail(validRef, '"presence" must be true or false');
      if (presence === true && isPattern(event)) return fail(validRef, '"presence" is for one event name, not a pattern');
      const since = readSince(frame.since, isPattern(event));
      if (typeof since === "object" && since !== null && "problem" in since) return fail(validRef, since.problem as string);
      return ok({ type, ref: validRef, event, ...(since === undefined ? {} : { since: since as string | SinceByName }), ...(presence === true ? { presence } : {}) });
    }
    case "unsubscribe": {
      const event = readSubscribable(frame);
      return typeof event === "string" ? ok({ type, ref: validRef, event }) : fail(validRef, event.problem);
    }
    case "trigger": {
      const event = readName(frame, "event");
      if (typeof event !== "string") return fail(validRef, event.problem);
      const fromRecording = frame.fromRecording;
      if (fromRecording !== undefined && fromRecording !== null && typeof fromRecording !== "boolean") return fail(validRef, '"fromRecording" must be true or false');
      const replayOf = readReplayOf(frame.replayOf);
      if (typeof replayOf === "object") return fail(validRef, replayOf.problem);
      return ok({ type, ref: validRef, event, data: frame.data, ...(fromRecording === true ? { fromRecording } : {}), ...(replayOf === undefined ? {} : { replayOf }) });
    }
    case "presence": {
      const event = readName(frame, "event");
      return typeof event === "string" ? ok({ type, ref: validRef, event }) : fail(validRef, event.problem);
    }
    case "request": {
      const query = readName(frame, "query");
      if (typeof query !== "string") return fail(validRef, query.problem);
      const replayOf = readReplayOf(frame.replayOf);
      if (typeof replayOf === "object") return fail(validRef, replayOf.problem);
      const replay = replayOf === undefined ? {} : { replayOf };
      const timeout = frame.timeout;
      if (timeout === undefined || timeout === null) return ok({ type, ref: validRef, query, data: frame.data, ...replay });
      if (typeof timeout !== "number" || !Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TIMEOUT_MS) {
        return fail(validRef, `"timeout" must be an integer number of ms from 1 to ${MAX_TIMEOUT_MS}`);
      }
      return ok({ type, ref: validRef, query, data: frame.data, timeout, ...replay });
    }
    case "describe":
    case "ping":
      return ok({ type, ref: validRef });
    case "monitor": {
      const token = frame.token;
      if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
        return fail(validRef, '"token" must be the monitor token (a non-empty string)');
      }
      const traces = frame.traces;
      if (traces !== undefined && traces !== null && traces !== "batched") return fail(validRef, '"traces" must be "batched" (or absent, for one trace frame each)');
      return ok({ type, ref: validRef, token, ...(traces === "batched" ? { traces } : {}) });
    }
    case "connections": {
      const search = frame.search ?? undefined;
      if (search !== undefined && (typeof search !== "string" || search.length > MAX_SEARCH_LENGTH)) return fail(validRef, `"search" must be a string of at most ${MAX_SEARCH_LENGTH} characters`);
      const limit = frame.limit ?? undefined;
      if (limit !== undefined && (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_LISTED_CONNECTIONS)) {
        return fail(validRef, `"limit" must be an integer from 1 to ${MAX_LISTED_CONNECTIONS}`);
      }
      return ok({ type, ref: validRef, ...(search ? { search } : {}), ...(limit === undefined ? {} : { limit }) });
    }
    case "disconnect": {
      const connection = frame.connection;
      if (typeof connection !== "string" || connection.length === 0 || connection.length > MAX_CONNECTION_ID_LENGTH) {
        return fail(validRef, `"connection" must be a connection id (1–${MAX_CONNECTION_ID_LENGTH} characters, as in its welcome)`);
      }
      const reason = frame.reason ?? undefined;
      if (reason !== undefined && (typeof reason !== "string" || new TextEncoder().encode(reason).length > MAX_DISCONNECT_REASON_BYTES)) {
        return fail(validRef, `"reason" must be a string of at most ${MAX_DISCONNECT_REASON_BYTES} bytes (it travels in the close frame)`);
      }
      return ok({ type, ref: validRef, connection, ...(reason ? { reason } : {}) });
    }
    default:
      return fail(validRef, `Unknown op type ${JSON.stringify(type.slice(0, 40))}: expected one of ${OP_TYPES.join(", ")}`);
  }
}

function checkRef(ref: unknown): string | undefined {
  if (typeof ref === "number") return Number.isFinite(ref) ? undefined : '"ref" must be a finite number or a string';
  if (typeof ref === "string") {
    return ref.length > 0 && ref.length <= MAX_REF_LENGTH ? undefined : `"ref" must be 1–${MAX_REF_LENGTH} characters`;
  }
  return 'Missing "ref": every op carries a string or number the reply will echo';
}

function readName(frame: Record<string, unknown>, field: "event" | "query"): string | { problem: string } {
  const name = frame[field];
  if (typeof name !== "string" || name.length === 0) return { problem: `Missing "${field}": the ${field} name, a non-empty string` };
  if (name.length > MAX_NAME_LENGTH) return { problem: `"${field}" is ${name.length} characters long; names have at most ${MAX_NAME_LENGTH}` };
  if (isPattern(name)) return { problem: `"${field}" may not be a pattern (${JSON.stringify(name.slice(0, 60))}): only a subscribe may name one` };
  return name;
}

/** A subscribe's or unsubscribe's `event`: a name, or a valid pattern. */
function readSubscribable(frame: Record<string, unknown>): string | { problem: string } {
  const event = frame.event;
  if (typeof event === "string" && isPattern(event) && event.length <= MAX_NAME_LENGTH) {
    const check = parsePattern(event);
    return check.ok ? event : { problem: check.problem };
  }
  return readName(frame, "event");
}

/** `since`: an id for a name; for a pattern, an object of name → id. */
function readSince(since: unknown, pattern: boolean): string | SinceByName | undefined | { problem: string } {
  if (since === undefined || since === null) return undefined;
  const isId = (value: unknown): value is string => typeof value === "string" && value.length > 0 && value.length <= MAX_SINCE_LENGTH;
  if (!pattern) return isId(since) ? since : { problem: `"since" must be an event id (a string of 1–${MAX_SINCE_LENGTH} characters)` };
  const problem = { problem: `"since" of a pattern must be an object of event name → event id (at most ${MAX_SINCE_NAMES} names)` };
  if (typeof since !== "object" || Array.isArray(since)) return problem;
  const entries = Object.entries(since);
  if (entries.length > MAX_SINCE_NAMES) return problem;
  for (const [name, id] of entries) if (name.length === 0 || name.length > MAX_NAME_LENGTH || !isId(id)) return problem;
  return Object.fromEntries(entries) as SinceByName;
}

function ok(op: ClientOp): ParsedOp {
  return { ok: true, op };
}

function fail(ref: Ref | null, message: string): ParsedOp {
  return { ok: false, ref, message };
}

/** The longest `replayOf` (a trace id: `<epoch>-<seq>` or `<instance>-r<seq>`). */
export const MAX_REPLAY_OF_LENGTH = 100;

/** A trigger's or request's `replayOf`: absent, or the id of the trace it replays. */
function readReplayOf(value: unknown): string | undefined | { problem: string } {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_REPLAY_OF_LENGTH) {
    return { problem: `"replayOf" must be the id of the trace replayed (1 to ${MAX_REPLAY_OF_LENGTH} characters)` };
  }
  return value;
}
