import type { InferInput, StandardSchemaV1 } from "./schema";

/**
 * The app's events and queries, by name. An app describes them once by augmenting this
 * interface, and from then on every name and payload is checked by the compiler:
 *
 * @example
 * declare module "@/lib/events" {
 *   interface Register {
 *     events: { "model:created": { id: number; value: string } };
 *     queries: { "model:count": { data: void; result: number } };
 *   }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by declaration merging
export interface Register {}

/** Event name → payload type. `undefined` (or `void`) marks an event that carries no data. */
export type EventMap = Record<string, unknown>;

/** What a query takes and gives. `singleton: false` makes `request` resolve to a list of results. */
export interface QuerySpec<Data = unknown, Result = unknown> {
  data: Data;
  result: Result;
  singleton?: boolean;
}
export type QueryMap = Record<string, QuerySpec>;

export type RegisteredEvents = Register extends { events: infer E extends EventMap } ? E : EventMap;
export type RegisteredQueries = Register extends { queries: infer Q extends QueryMap } ? Q : QueryMap;

/** Events that carry no data (and untyped ones) may be triggered without a payload argument. */
export type PayloadArgs<T> = unknown extends T ? [data?: T] : [T] extends [undefined | void] ? [data?: T] : [data: T];

/** A query's data, then the request options. */
export type RequestArgs<T, O> = unknown extends T
  ? [data?: T, options?: O]
  : [T] extends [undefined | void]
    ? [data?: T, options?: O]
    : [data: T, options?: O];

/** What `request` resolves to: one value for a singleton query, otherwise the list of every handler's value. */
export type RequestResult<S extends QuerySpec> = S extends { singleton: false } ? Awaited<S["result"]>[] : Awaited<S["result"]>;

/** Why a handler was refused by the compiler, readable in the error message. */
export type HandlerArityError = "A handler takes exactly one argument: the event's data";

/**
 * Admits `H` only when it declares exactly one required parameter. TypeScript would otherwise
 * accept `() => …` where `(data) => …` is expected; the seed's rule is one argument, the data.
 */
export type ExactlyOneArgument<H> = H extends (...args: infer A) => unknown
  ? number extends A["length"]
    ? HandlerArityError // a rest parameter
    : A extends []
      ? HandlerArityError
      : A extends [unknown, unknown, ...unknown[]]
        ? HandlerArityError
        : H
  : HandlerArityError;

export type EventHandler<T> = (data: T) => unknown;
export type QueryHandler<D, R> = (data: D) => R | Promise<R>;

/** The payload type of an event: from its schema when one is given, else from the registered map. */
export type PayloadOf<E extends EventMap, N extends string, S> = [S] extends [StandardSchemaV1]
  ? InferInput<S>
  : N extends keyof E
    ? E[N]
    : unknown;

/** Who caused a trigger or request, as the protocol's `trace` frame names it. */
export type Source = "server" | "monitor" | `client:${string}`;

/** What handler code can read about the event it is handling (`events.context()`). */
export interface HandlerContext {
  readonly kind: "event" | "query";
  /** The event or query name. */
  readonly name: string;
  /** The event id (for queries, the request id). */
  readonly id: string;
  readonly source: Source;
  /** When the trigger or request started, in ms since the epoch. */
  readonly at: number;
}

/**
 * Says who a browser connection is, for presence: gets the connection's upgrade request and
 * returns JSON-safe member info (e.g. `{ id, name }`), or null for an anonymous connection.
 */
export type IdentifyHook = (request: import("node:http").IncomingMessage) => Record<string, unknown> | null | Promise<Record<string, unknown> | null>;
