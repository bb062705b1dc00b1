import type { ReplayFrom } from "../core/adapter";
import type { EventBus } from "../core/bus";
import type { AuthorizeAction, Declaration, Kind } from "../core/declarations";
import { describeError, EventsError, ForbiddenError, HandlerError, isWireErrorCode, UnauthorizedError } from "../core/errors";
import { checkSize, toJsonText } from "../core/json-value";
import type { Logger } from "../core/logger";
import type { EventsConfig } from "../config/keys";
import type { ClientOp, DescribedName, MonitorOp, OkResults, Ref, RequestOp, SubscribeOp, TriggerOp } from "../protocol/frames";
import type { Connection } from "./connection";
import type { TransportCounters } from "./counters";
import type { MonitorGrant } from "./monitor-roster";
import { verifyMonitorToken } from "./monitor-token";

/** What op handling needs from the transport. */
export interface OpContext {
  bus: EventBus;
  config: Pick<EventsConfig, "secretKey" | "maxSubscriptions" | "requestTimeoutMs" | "dashboardToken">;
  logger: Logger;
  instance: string;
  startedAt: number;
  counters: TransportCounters;
  /** Replies larger than this are refused with too_large: clients may not accept more. */
  maxPayload: number;
  subscribe(connection: Connection, name: string): void;
  unsubscribe(connection: Connection, name: string): void;
  subscriberCount(name: string): number;
  becomeMonitor(connection: Connection, grant: MonitorGrant): void;
  /** Whether a dashboard session is still signed in (see TransportOptions). */
  isSessionLive: ((session: string) => boolean | Promise<boolean>) | undefined;
  /** Ops in flight are counted, so that shutdown can wait for them. */
  opStarted(): void;
  opFinished(): void;
  /** Writes a stored event to one connection (replay). */
  replayFrame(name: string, id: string, json: string): Buffer;
}

const PUBLIC_ONLY = (declaration: Declaration): boolean => !declaration.internal;

/** Runs one op and writes its `ok` or `error`. Never throws. */
export async function handleOp(context: OpContext, connection: Connection, op: ClientOp): Promise<void> {
  context.opStarted();
  try {
    switch (op.type) {
      case "subscribe":
        return await subscribe(context, connection, op);
      case "unsubscribe":
        lookup(context, connection, op.event, "event");
        context.unsubscribe(connection, op.event);
        return ok(connection, op.ref, {});
      case "trigger":
        return await trigger(context, connection, op);
      case "request":
        return await request(context, connection, op);
      case "describe":
        return ok(connection, op.ref, describe(context, connection));
      case "ping":
        return ok(connection, op.ref, {});
      case "monitor":
        return await monitor(context, connection, op);
    }
  } catch (error) {
    sendError(context, connection, op.ref, error);
  } finally {
    context.opFinished();
  }
}

async function subscribe(context: OpContext, connection: Connection, op: SubscribeOp): Promise<void> {
  const declaration = lookup(context, connection, op.event, "event");
  checkSubscriptionCap(context, connection, op.event);
  const authorizing = authorize(context, connection, declaration, "subscribe");
  if (authorizing) await authorizing;
  // The hook may have taken a while: the connection may be gone, and other subscribes of the
  // same read may have filled the cap meanwhile.
  if (!connection.open) return;
  checkSubscriptionCap(context, connection, op.event);
  // Live events that arrive while the replay is fetched are held back and delivered after it:
  // the client sees ok, then any gap, then the missed events, then live ones, each once.
  // Subscribing again to a name it holds, the connection was owed every one of them, even those
  // the `last` it is about to be told already counts (on Redis an event can be published before
  // that read and delivered here while it waits): without `since` none is replayed, so all go.
  const resubscribed = connection.subscriptions.has(op.event) && op.since === undefined;
  context.subscribe(connection, op.event);
  connection.hold(op.event);
  let from: ReplayFrom;
  try {
    from = await context.bus.adapter.since(op.event, op.since);
  } catch (error) {
    connection.release(op.event, undefined);
    context.unsubscribe(connection, op.event);
    throw error;
  }
  ok(connection, op.ref, op.since === undefined ? { last: from.last } : { recovered: from.recovered, last: from.last });
  if (op.since !== undefined) context.counters.recoveries[from.recovered ? "recovered" : "unrecovered"]++;
  if (op.since !== undefined && !from.recovered) {
    context.counters.gaps.history++;
    connection.send({ type: "gap", event: op.event, missed: from.missed, reason: "history" });
  }
  for (const stored of from.events) connection.write(context.replayFrame(op.event, stored.id, stored.json));
  connection.release(op.event, resubscribed ? undefined : (from.events.at(-1)?.id ?? from.last));
}

function checkSubscriptionCap(context: OpContext, connection: Connection, name: string): void {
  if (connection.subscriptions.has(name) || connection.subscriptions.size < context.config.maxSubscriptions) return;
  throw new ForbiddenError(
    `This connection already holds ${connection.subscriptions.size} subscriptions, the most allowed (EVENTS_MAX_SUBSCRIPTIONS); unsubscribe from one first`,
  );
}

async function trigger(context: OpContext, connection: Connection, op: TriggerOp): Promise<void> {
  const declaration = lookup(context, connection, op.event, "event");
  const authorizing = authorize(context, connection, declaration, "trigger", op.data);
  if (authorizing) await authorizing;
  const report = await context.bus.trigger(op.event, op.data, { source: sourceOf(connection) });
  ok(connection, op.ref, { id: report.id, handlers: report.handlers, failed: report.failed.length, delivered: report.delivered });
}

async function request(context: OpContext, connection: Connection, op: RequestOp): Promise<void> {
  const declaration = lookup(context, connection, op.query, "query");
  const authorizing = authorize(context, connection, declaration, "request", op.data);
  if (authorizing) await authorizing;
  const ceiling = context.config.requestTimeoutMs;
  const timeout = Math.min(op.timeout ?? ceiling, ceiling);
  const result = await context.bus.request(op.query, op.data, { timeout, source: sourceOf(connection) });
  let json: string;
  try {
    json = toJsonText(result, `The result of "${op.query}"`);
  } catch (error) {
    throw new HandlerError(`Query "${op.query}" answered with a value that cannot travel as JSON: ${describeError(error)}`);
  }
  json = checkSize(json, context.maxPayload, `The result of "${op.query}"`);
  // The reply is assembled around the result's JSON so that it is serialised once.
  connection.reply(Buffer.from(`{"type":"ok","ref":${JSON.stringify(op.ref)},"data":${json}}`));
}

function describe(context: OpContext, connection: Connection): OkResults["describe"] {
  const events: DescribedName[] = [];
  const queries: DescribedName[] = [];
  for (const info of context.bus.snapshot()) {
    if (info.internal && !connection.monitor) continue;
    const described: DescribedName = {
      name: info.name,
      kind: info.kind,
      internal: info.internal,
      singleton: info.singleton,
      schema: info.schema,
      description: info.description,
      ...(connection.monitor ? { handlers: info.handlers, counters: info.counters, subscribers: context.subscriberCount(info.name) } : {}),
    };
    (info.kind === "event" ? events : queries).push(described);
  }
  if (!connection.monitor) return { events, queries };
  const adapter = context.bus.adapter;
  return { events, queries, cluster: { adapter: adapter.kind, state: adapter.state, instances: adapter.instances() } };
}

/**
 * Makes the connection a monitor until the token expires; a monitor sends a fresh token before
 * then to stay one. A token of a signed-out dashboard session is refused like an invalid one.
 */
async function monitor(context: OpContext, connection: Connection, op: MonitorOp): Promise<void> {
  const check = verifyMonitorToken(op.token, context.config.secretKey, { dashboardToken: context.config.dashboardToken });
  if (!check.ok) {
    const why = check.reason === "expired" ? "has expired: fetch a new one" : "is not valid";
    throw new UnauthorizedError(`The monitor token ${why}`);
  }
  if (check.session !== "" && context.isSessionLive && !(await isLive(context, check.session))) {
    throw new UnauthorizedError("The monitor token's dashboard session has ended: sign in again");
  }
  if (!connection.open) return;
  context.becomeMonitor(connection, { session: check.session, expiresAt: check.expiresAt });
  ok(connection, op.ref, { instance: context.instance, startedAt: context.startedAt, expiresAt: check.expiresAt, expiresIn: check.expiresAt - Date.now() });
}

/** A session store that cannot be reached counts as "signed out": monitor rights fail closed. */
async function isLive(context: OpContext, session: string): Promise<boolean> {
  try {
    return (await context.isSessionLive!(session)) === true;
  } catch (error) {
    context.logger.warn({ err: error }, "Could not check a dashboard session: refusing the monitor token");
    return false;
  }
}

/** Finds a name the way this connection may see it: browsers never see internal names. */
function lookup(context: OpContext, connection: Connection, name: string, kind: Kind): Declaration {
  return context.bus.lookup(name, kind, connection.monitor ? undefined : PUBLIC_ONLY);
}

/** Undefined (nothing to wait for) when no hook applies: most ops, and the hot path. */
function authorize(context: OpContext, connection: Connection, declaration: Declaration, action: AuthorizeAction, data?: unknown): Promise<void> | undefined {
  // The dashboard's monitor session is trusted; hooks guard what browsers may do.
  if (connection.monitor || !declaration.authorize) return undefined;
  return askHook(context, connection, declaration, declaration.authorize, action, data);
}

async function askHook(
  context: OpContext,
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
    context.logger.error({ event: declaration.name, action, connection: connection.id, err: error }, `The authorize hook of "${declaration.name}" threw`);
    allowed = false;
  }
  if (allowed !== true) throw new ForbiddenError(`Not allowed to ${action} "${declaration.name}"`);
}

function sourceOf(connection: Connection): "monitor" | `client:${string}` {
  return connection.monitor ? "monitor" : `client:${connection.id}`;
}

function ok<T extends keyof OkResults>(connection: Connection, ref: Ref, result: OkResults[T]): void {
  connection.send({ type: "ok", ref, ...result } as never);
}

function sendError(context: OpContext, connection: Connection, ref: Ref, error: unknown): void {
  if (error instanceof EventsError && isWireErrorCode(error.code)) {
    const message = error.code === "handler_error" && !connection.monitor ? maskInternalNames(context, error.message) : error.message;
    connection.send({ type: "error", ref, code: error.code, message });
    return;
  }
  // Anything else is a bug on our side: log it with its stack, tell the client only that it failed.
  context.logger.error({ connection: connection.id, ref, err: error }, "An op failed unexpectedly");
  connection.send({ type: "error", ref, code: "handler_error", message: "The server failed to handle this op" });
}

/**
 * A public query's handler may call internal ones, and their errors name them. Browsers never
 * see internal names, so each quoted one becomes "(internal)".
 */
function maskInternalNames(context: OpContext, message: string): string {
  let masked = message;
  for (const declaration of context.bus.declarations.all()) {
    if (declaration.internal && masked.includes(`"${declaration.name}"`)) masked = masked.replaceAll(`"${declaration.name}"`, '"(internal)"');
  }
  return masked;
}
