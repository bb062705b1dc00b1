import { didYouMean } from "./did-you-mean";
import { BadRequestError, ConflictError, InvalidHandlerError, NotFoundError } from "../shared/errors";
import type { Owner, RemovedHandler } from "./module-evaluations";
import { isStandardSchema, toJsonSchema, type StandardSchemaV1 } from "./schema";

export type Kind = "event" | "query";

/** What a browser connection asks to do with a public event or query. */
export type AuthorizeAction = "subscribe" | "trigger" | "request" | "presence";

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
  /**
   * Tracks who is subscribed (public events only): browsers may ask for the members and hear
   * them join and leave, and `events.presence(name)` lists them. @default false
   */
  presence?: boolean;
  /** One line for the dashboard. */
  description?: string;
}

export interface HandlerOptions {
  /**
   * Identifies this handler among the name's handlers. Registering the same key again replaces
   * the handler instead of adding one. @default in development, for a handler registered while
   * its module evaluates, its place in that module (the module's n-th handler of this name);
   * otherwise the handler's source text
   */
  key?: string;
}

export interface RegisteredHandler {
  readonly key: string;
  /** For reports and logs: the function's name, or `handler #n`. */
  readonly label: string;
  /** Where it was registered (`events/models.ts:14`), for its spans; null when unknown. */
  readonly source: string | null;
  readonly fn: (data: unknown) => unknown;
  /** The module evaluation that registered it (development only). */
  readonly owner?: Owner;
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
  /** Changes only when the module that declared it is evaluated again with other flags (development). */
  internal: boolean;
  singleton: boolean;
  presence: boolean;
  schema: StandardSchemaV1 | undefined;
  authorize: AuthorizeHook | undefined;
  description: string | undefined;
  handlers: RegisteredHandler[];
  readonly counters: Counters;
  /** The module evaluation that declared it (development only): its next evaluation may re-declare it. */
  owner: Owner | undefined;
}

/** One line of the registry snapshot (`events.snapshot()`, `describe`, the dashboard). */
export interface DeclarationInfo {
  name: string;
  kind: Kind;
  internal: boolean;
  singleton: boolean;
  presence: boolean;
  handlers: number;
  schema: Record<string, unknown> | null;
  description: string | null;
  counters: Counters;
}

const NAME_PATTERN = /^[A-Za-z0-9_.:\-/]{1,200}$/;

/** What declarations ask of the module tracking (development): see `ModuleEvaluations`. */
export interface OwnerTracking {
  /** The owner's module is being evaluated again: its handlers are about to be replaced. */
  isSuperseded(owner: Owner): boolean;
  /** The place of the owner's next handler of `name` in its module (1, 2, …). */
  place(owner: Owner, name: string): number;
}

const UNTRACKED: OwnerTracking = {
  isSuperseded: () => false,
  place: () => 1,
};

/** Every declared name, its flags and its handlers. Names share one namespace across kinds. */
export class Declarations {
  #byName = new Map<string, Declaration>();
  #tracking: OwnerTracking = UNTRACKED;

  /** Development: registrations that come with an owner are identified by their place in it. */
  trackOwners(tracking: OwnerTracking): void {
    this.#tracking = tracking;
  }

  /**
   * Declares `name`, or checks that an earlier declaration has the same kind and flags. `owner`
   * (development) is the module evaluation declaring it: the module that declared a name may,
   * when it is evaluated again, declare it anew with other flags.
   */
  declare(name: string, kind: Kind, options: DeclareOptions = {}, owner?: Owner): Declaration {
    validateName(name);
    if (options.schema !== undefined && !isStandardSchema(options.schema)) {
      throw new BadRequestError(`The schema of "${name}" is not a Standard Schema (zod 4, valibot, arktype…)`);
    }
    const existing = this.#byName.get(name);
    if (!existing) {
      checkPresence(name, kind, options.internal ?? true, options.presence ?? false);
      const declaration: Declaration = {
        name,
        kind,
        internal: options.internal ?? true,
        singleton: options.singleton ?? kind === "query",
        presence: options.presence ?? false,
        schema: options.schema,
        authorize: options.authorize,
        description: options.description,
        handlers: [],
        counters: { count: 0, errors: 0, lastAt: null },
        owner,
      };
      this.#byName.set(name, declaration);
      return declaration;
    }
    if (owner && existing.owner?.module === owner.module && existing.owner.evaluation !== owner.evaluation) {
      return this.#redeclare(existing, kind, options, owner);
    }
    const wanted = { kind, internal: options.internal ?? existing.internal, singleton: options.singleton ?? existing.singleton, presence: options.presence ?? existing.presence };
    if (wanted.kind !== existing.kind || wanted.internal !== existing.internal || wanted.singleton !== existing.singleton || wanted.presence !== existing.presence) {
      throw new ConflictError(
        `"${name}" is already declared as ${describeFlags(existing)}${inModule(existing.owner)}; it cannot be re-declared as ${describeFlags(wanted)}${inModule(owner)}`,
      );
    }
    // A module imported twice (or re-run by hot reload) declares again: its latest options win.
    if (options.schema !== undefined) existing.schema = options.schema;
    if (options.authorize !== undefined) existing.authorize = options.authorize;
    if (options.description !== undefined) existing.description = options.description;
    return existing;
  }

  /**
   * The module that declared `existing` is evaluated again (its file was saved): the declaration
   * now reads as it would on a fresh start, flags included. Only a change of kind, or a
   * singleton that other modules' handlers would break, needs a restart.
   */
  #redeclare(existing: Declaration, kind: Kind, options: DeclareOptions, owner: Owner): Declaration {
    const wanted = { kind, internal: options.internal ?? true, singleton: options.singleton ?? kind === "query", presence: options.presence ?? false };
    if (kind !== existing.kind) {
      throw new ConflictError(
        `"${existing.name}" is declared as ${describeFlags(existing)}${inModule(existing.owner)}; its new evaluation declares it as ${describeFlags(wanted)}: an event cannot become a query (or the reverse) while the server runs, restart it`,
      );
    }
    const live = existing.handlers.filter((handler) => !this.#isStale(handler));
    if (wanted.singleton && live.length > 1) {
      throw new ConflictError(
        `"${existing.name}" cannot become a singleton ${kind}${inModule(owner)}: it has ${live.length} handlers (${live.map((handler) => handler.label).join(", ")})`,
      );
    }
    checkPresence(existing.name, kind, wanted.internal, wanted.presence);
    existing.internal = wanted.internal;
    existing.singleton = wanted.singleton;
    existing.presence = wanted.presence;
    existing.schema = options.schema;
    existing.authorize = options.authorize;
    existing.description = options.description;
    existing.owner = owner;
    return existing;
  }

  /**
   * Adds a handler; returns the function that removes it. A handler with the key of one already
   * there replaces it in place. `owner` (development) is the module evaluation registering it.
   */
  addHandler(declaration: Declaration, fn: (data: unknown) => unknown, options: HandlerOptions = {}, owner?: Owner, source: string | null = null): () => void {
    if (typeof fn !== "function") {
      throw new InvalidHandlerError(`The handler for "${declaration.name}" must be a function, got ${typeof fn}`);
    }
    if (fn.length !== 1) {
      throw new InvalidHandlerError(
        `The handler for "${declaration.name}" takes ${fn.length} arguments; a handler takes exactly one: the ${declaration.kind}'s data`,
      );
    }
    const key = options.key ?? (owner ? `${owner.module}#${this.#tracking.place(owner, declaration.name)}` : fn.toString());
    const label = fn.name || `handler #${declaration.handlers.length + 1}`;
    const handler: RegisteredHandler = owner ? { key, label, source, fn, owner } : { key, label, source, fn };
    const index = declaration.handlers.findIndex((existing) => existing.key === key);
    if (index >= 0) {
      declaration.handlers = declaration.handlers.with(index, handler);
    } else {
      // A singleton's handler that its module is replacing right now does not count, and goes at once.
      const kept = declaration.singleton ? declaration.handlers.filter((existing) => !this.#isStale(existing)) : declaration.handlers;
      if (declaration.singleton && kept.length > 0) {
        throw new ConflictError(
          `"${declaration.name}" is a singleton ${declaration.kind} and already has a handler (${kept[0]!.label}${inModule(kept[0]!.owner)}); it takes no second one`,
        );
      }
      // Copy-on-write: a trigger that is iterating keeps the list it started with.
      declaration.handlers = [...kept, handler];
    }
    return () => {
      declaration.handlers = declaration.handlers.filter((existing) => existing !== handler);
    };
  }

  /** Removes the handlers `module` registered in evaluations older than `before`; returns them. */
  sweep(module: string, before: number): RemovedHandler[] {
    const removed: RemovedHandler[] = [];
    for (const declaration of this.#byName.values()) {
      const stale = declaration.handlers.filter((handler) => handler.owner?.module === module && handler.owner.evaluation < before);
      if (stale.length === 0) continue;
      declaration.handlers = declaration.handlers.filter((handler) => !stale.includes(handler));
      for (const handler of stale) removed.push({ name: declaration.name, label: handler.label, module });
    }
    return removed;
  }

  #isStale(handler: RegisteredHandler): boolean {
    return handler.owner !== undefined && this.#tracking.isSuperseded(handler.owner);
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
      presence: declaration.presence,
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

function describeFlags(flags: { kind: Kind; internal: boolean; singleton: boolean; presence?: boolean }): string {
  return `${article(flags.kind)} { internal: ${flags.internal}, singleton: ${flags.singleton}${flags.presence ? ", presence: true" : ""} }`;
}

/** Presence is who subscribed from a browser: it exists only for public events. */
function checkPresence(name: string, kind: Kind, internal: boolean, presence: boolean): void {
  if (!presence) return;
  if (kind !== "event") throw new ConflictError(`"${name}" is a query: presence is for public events only`);
  if (internal) throw new ConflictError(`"${name}" is internal: presence is for public events only (declare it with internal: false)`);
}

/** ` in events/models.ts` when the module is known (development), else nothing. */
function inModule(owner: Owner | undefined): string {
  return owner ? ` in ${owner.module}` : "";
}

function article(kind: Kind): string {
  return kind === "event" ? "an event" : "a query";
}
