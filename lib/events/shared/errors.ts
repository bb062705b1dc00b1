/**
 * Every error the library throws is an `EventsError` with a stable `code`.
 * The codes that can cross the wire are the protocol's (docs/protocol.md); the
 * others only ever happen inside a process. All of them are listed in docs/errors.md.
 */

/** Codes a server sends in an `error` frame. */
export const WIRE_ERROR_CODES = [
  "bad_request",
  "not_found",
  "forbidden",
  "invalid_payload",
  "no_handler",
  "handler_error",
  "timeout",
  "too_large",
  "rate_limited",
  "unauthorized",
] as const;
export type WireErrorCode = (typeof WIRE_ERROR_CODES)[number];

/** Codes that never cross the wire: declaration mistakes, configuration, client-side states. */
export type LocalErrorCode = "conflict" | "invalid_handler" | "bad_config" | "disconnected" | "closed";

export type ErrorCode = WireErrorCode | LocalErrorCode;

// Next compiles route handlers apart from server.ts, so this module (and each class below)
// can exist twice in one process. `instanceof` must still work across the copies, so it is
// decided by a brand that both copies share, not by the prototype chain.
const BRAND = Symbol.for("webfluid.events.error");

function brandedInstanceCheck(this: unknown, value: unknown, code: ErrorCode | undefined): boolean {
  if (typeof value !== "object" || value === null) return false;
  const brand = (value as { [BRAND]?: unknown })[BRAND];
  if (brand !== true) return false;
  return code === undefined || (value as { code?: unknown }).code === code;
}

export class EventsError extends Error {
  readonly code: ErrorCode;
  declare readonly [BRAND]: true;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
    // The class's own name, not the constructor's: a minifier renames classes (the browser bundle).
    const name = (new.target as { NAME?: string }).NAME ?? "EventsError";
    Object.defineProperty(this, "name", { value: name, enumerable: false, configurable: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    const code = (this as unknown as { CODE?: ErrorCode }).CODE;
    return brandedInstanceCheck(value, code);
  }

  /** The shape of an `error` frame, without its `ref`. */
  toWire(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

function codedError<C extends ErrorCode>(code: C, name: string) {
  return class extends EventsError {
    static readonly CODE: C = code;
    static readonly NAME = name;
    declare readonly code: C;
    constructor(message: string, options?: { cause?: unknown }) {
      super(code, message, options);
    }
  };
}

/** A frame or an argument that cannot be read: unreadable JSON, unknown op, missing or mistyped field. */
export class BadRequestError extends /* @__PURE__ */ codedError("bad_request", "BadRequestError") {}
/** No event or query of that name (or, to a browser, one that is internal). */
export class NotFoundError extends /* @__PURE__ */ codedError("not_found", "NotFoundError") {}
/** An authorization hook refused the action. */
export class ForbiddenError extends /* @__PURE__ */ codedError("forbidden", "ForbiddenError") {}
/** The payload failed its declared schema, or cannot be sent as JSON. */
export class InvalidPayloadError extends /* @__PURE__ */ codedError("invalid_payload", "InvalidPayloadError") {
  /** Where in the payload the first problem is, e.g. `["items", 2, "id"]`. */
  path: ReadonlyArray<PropertyKey> = [];
}
/** A request for a query with no handler registered. */
export class NoHandlerError extends /* @__PURE__ */ codedError("no_handler", "NoHandlerError") {}
/** A query handler threw; `cause` holds the error (or an `AggregateError` of all of them). */
export class HandlerError extends /* @__PURE__ */ codedError("handler_error", "HandlerError") {}
/** A request took longer than its timeout, or its `AbortSignal` fired. */
export class TimeoutError extends /* @__PURE__ */ codedError("timeout", "TimeoutError") {}
/** A frame or payload larger than `EVENTS_MAX_PAYLOAD`. */
export class TooLargeError extends /* @__PURE__ */ codedError("too_large", "TooLargeError") {}
/** A connection sent more ops than its rate limit allows. */
export class RateLimitedError extends /* @__PURE__ */ codedError("rate_limited", "RateLimitedError") {}
/** A monitor token that is missing, forged or expired. */
export class UnauthorizedError extends /* @__PURE__ */ codedError("unauthorized", "UnauthorizedError") {}
/** A name re-declared with other flags, or a second handler on a singleton. */
export class ConflictError extends /* @__PURE__ */ codedError("conflict", "ConflictError") {}
/** A handler that is not a function of exactly one argument. */
export class InvalidHandlerError extends /* @__PURE__ */ codedError("invalid_handler", "InvalidHandlerError") {}
/** A configuration value that is missing or not allowed; the message names key, value and what is allowed. */
export class ConfigError extends /* @__PURE__ */ codedError("bad_config", "ConfigError") {}
/** The connection dropped while a client request was pending. */
export class DisconnectedError extends /* @__PURE__ */ codedError("disconnected", "DisconnectedError") {}
/** The client (or the bus) was closed. */
export class ClosedError extends /* @__PURE__ */ codedError("closed", "ClosedError") {}

const WIRE_CODES: ReadonlySet<string> = new Set(WIRE_ERROR_CODES);

export function isWireErrorCode(code: unknown): code is WireErrorCode {
  return typeof code === "string" && WIRE_CODES.has(code);
}

/** Re-creates the right class for an `error` frame received by a client. */
export function errorFromWire(code: string, message: string): EventsError {
  const Class = CLASS_BY_CODE[code as WireErrorCode];
  return Class ? new Class(message) : new EventsError("bad_request", `${code}: ${message}`);
}

const CLASS_BY_CODE: Record<WireErrorCode, new (message: string) => EventsError> = {
  bad_request: BadRequestError,
  not_found: NotFoundError,
  forbidden: ForbiddenError,
  invalid_payload: InvalidPayloadError,
  no_handler: NoHandlerError,
  handler_error: HandlerError,
  timeout: TimeoutError,
  too_large: TooLargeError,
  rate_limited: RateLimitedError,
  unauthorized: UnauthorizedError,
};

/** A readable one-line description of anything thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
