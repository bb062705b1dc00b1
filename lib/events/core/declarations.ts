import { didYouMean } from "./did-you-mean";
import { BadRequestError, ConflictError, InvalidHandlerError, NotFoundError } from "../shared/errors";
import { isStandardSchema, toJsonSchema, type StandardSchemaV1 } from "./schema";

export type Kind = "event" | "query";

/** What a browser connection asks to do with a public event or query. */
export type AuthorizeAction = "subscribe" | "trigger" | "request";

/** Who is asking, for `authorize` hooks. */
export interface ConnectionInfo {
  /** The connection id, as in `client:<id>` trace sources. */
  readonly id: string;
  readonly origin: string | undefined;
  readonly remoteAddress: string | undefined;
  /** The upgrade request's headers (cookies included), lower-cased names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface AuthorizeContext {
  readonly name: string;
  readonly connection: ConnectionInfo;
  /** The payload, for `trigger` and `request`. */
  readonly data?: unknown;
}

/**
 * Decides whether a browser connection may subscribe to, trigger or request a public name.
 * Server code is never asked. Return false to answer `forbidden`.
 */
export type AuthorizeHook = (action: AuthorizeAction, context: AuthorizeContext) => boolean | Promise<boolean>;

export interface DeclareOptions<S extends StandardSchemaV1 | undefined = StandardSchemaV1 | undefined> {
  /**
   * Internal names stay on the server: browsers can neither see, subscribe to, trigger nor request them.
   * @default true
   */
  internal?: boolean;
  /**
   * A singleton name takes exactly one handler. @default false for events, true for queries
   */
  singleton?: boolean;
  /** Validates the payload of every trigger or request, whatever its source; also shown by `describe`. */
  schema?: S;
  /** Per-connection permission for browsers (public names only). */
  authorize?: AuthorizeHook;
  /** One line for the dashboard. */
  description?: string;
}

export interface HandlerOptions {
  /**
   * Identifies this handler among the name's handlers. Registering the same key again replaces
   * the handler instead of adding one. @default the handler's source text
   */
  key?: string;
}

export interface RegisteredHandler {
  readonly key: string;
  /** For reports and logs: the function's name, or `handler #n`. */
  readonly label: string;
  readonly fn: (data: unknown) => unknown;
}

export interface Counters {
  /** Triggers (events) or requests (queries). */
  count: number;
  /** Handler failures, rejected payloads and timeouts. */
  errors: number;
  /** ms since the epoch of the last trigger or request, or null. */
  lastAt: number | null;
}

export interface Declaration {
  readonly name: string;
  readonly kind: Kind;
  readonly internal: boolean;
  readonly singleton: boolean;
  schema: StandardSchemaV1 | undefined;
  authorize: AuthorizeHook | undefined;
  description: string | undefined;
  handlers: RegisteredHandler[];
  readonly counters: Counters;
}

/** One line of the registry snapshot (`events.snapshot()`, `describe`, the dashboard). */
export interface DeclarationInfo {
  name: string;
  kind: Kind;
  internal: boolean;
  singleton: boolean;
  handlers: number;
  schema: Record<string, unknown> | null;
  description: string | null;
  counters: Counters;
}

const NAME_PATTERN = /^[A-Za-z0-9_.:\-/]{1,200}$/;

/** Every declared name, its flags and its handlers. Names share one namespace across kinds. */
export class Declarations {
  #byName = new Map<string, Declaration>();

  /** Declares `name`, or checks that an earlier declaration has the same kind and flags. */
  declare(name: string, kind: Kind, options: DeclareOptions = {}): Declaration {
    validateName(name);
    if (options.schema !== undefined && !isStandardSchema(options.schema)) {
      throw new BadRequestError(`The schema of "${name}" is not a Standard Schema (zod 4, valibot, arktype…)`);
    }
    const existing = this.#byName.get(name);
    if (!existing) {
      const declaration: Declaration = {
        name,
        kind,
        internal: options.internal ?? true,
        singleton: options.singleton ?? kind === "query",
        schema: options.schema,
        authorize: options.authorize,
        description: options.description,
        handlers: [],
        counters: { count: 0, errors: 0, lastAt: null },
      };
      this.#byName.set(name, declaration);
      return declaration;
    }
    const wanted = { kind, internal: options.internal ?? existing.internal, singleton: options.singleton ?? existing.singleton };
    if (wanted.kind !== existing.kind || wanted.internal !== existing.internal || wanted.singleton !== existing.singleton) {
      throw new ConflictError(
        `"${name}" is already declared as ${describeFlags(existing)}; it cannot be re-declared as ${describeFlags(wanted)}`,
      );
    }
    // A module imported twice (or re-run by hot reload) declares again: its latest options win.
    if (options.schema !== undefined) existing.schema = options.schema;
    if (options.authorize !== undefined) existing.authorize = options.authorize;
    if (options.description !== undefined) existing.description = options.description;
    return existing;
  }

  /** Adds a handler; returns the function that removes it. */
  addHandler(declaration: Declaration, fn: (data: unknown) => unknown, options: HandlerOptions = {}): () => void {
    if (typeof fn !== "function") {
      throw new InvalidHandlerError(`The handler for "${declaration.name}" must be a function, got ${typeof fn}`);
    }
    if (fn.length !== 1) {
      throw new InvalidHandlerError(
        `The handler for "${declaration.name}" takes ${fn.length} arguments; a handler takes exactly one: the ${declaration.kind}'s data`,
      );
    }
    const key = options.key ?? fn.toString();
    const label = fn.name || `handler #${declaration.handlers.length + 1}`;
    const handler: RegisteredHandler = { key, label, fn };
    const index = declaration.handlers.findIndex((existing) => existing.key === key);
    if (index >= 0) {
      declaration.handlers = declaration.handlers.with(index, handler);
    } else {
      if (declaration.singleton && declaration.handlers.length > 0) {
        throw new ConflictError(
          `"${declaration.name}" is a singleton ${declaration.kind} and already has a handler (${declaration.handlers[0]!.label}); it takes no second one`,
        );
      }
      // Copy-on-write: a trigger that is iterating keeps the list it started with.
      declaration.handlers = [...declaration.handlers, handler];
    }
    return () => {
      declaration.handlers = declaration.handlers.filter((existing) => existing !== handler);
    };
  }

  get(name: string): Declaration | undefined {
    return this.#byName.get(name);
  }

  /**
   * The declaration of `name` as `kind`, or `NotFoundError` with a suggestion.
   * `visible` limits both the lookup and the suggestions (browsers never learn internal names).
   */
  require(name: string, kind: Kind, visible: (declaration: Declaration) => boolean = () => true): Declaration {
    const declaration = this.#byName.get(name);
    if (declaration && declaration.kind === kind && visible(declaration)) return declaration;
    const candidates: string[] = [];
    for (const other of this.#byName.values()) if (other.kind === kind && visible(other)) candidates.push(other.name);
    const noun = kind === "event" ? "event" : "query";
    const hint = declaration && declaration.kind !== kind && visible(declaration) ? ` ("${name}" is ${article(declaration.kind)})` : "";
    throw new NotFoundError(`Unknown ${noun} "${name}"${hint || didYouMean(name, candidates)}`);
  }

  all(): IterableIterator<Declaration> {
    return this.#byName.values();
  }

  info(declaration: Declaration): DeclarationInfo {
    return {
      name: declaration.name,
      kind: declaration.kind,
      internal: declaration.internal,
      singleton: declaration.singleton,
      handlers: declaration.handlers.length,
      schema: toJsonSchema(declaration.schema) ?? null,
      description: declaration.description ?? null,
      counters: { ...declaration.counters },
    };
  }
}

function validateName(name: unknown): asserts name is string {
  if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
    throw new BadRequestError(
      `Invalid name ${JSON.stringify(name)}: use 1–200 characters of letters, digits and _ . : - / (e.g. "model:created")`,
    );
  }
}

function describeFlags(flags: { kind: Kind; internal: boolean; singleton: boolean }): string {
  return `${article(flags.kind)} { internal: ${flags.internal}, singleton: ${flags.singleton} }`;
}

function article(kind: Kind): string {
  return kind === "event" ? "an event" : "a query";
}
