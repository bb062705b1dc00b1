import { callerFrames, type ModuleLocator } from "./stack-frames";

/** Which evaluation of which module made a registration (tracked in development only). */
export interface Owner {
  /** The module, as its locator names it: `events/models.ts`, `app/api/models/route.ts`. */
  readonly module: string;
  /** Increases with every evaluation of any module. */
  readonly evaluation: number;
}

interface Evaluation extends Owner {
  open: boolean;
  /** A registration of this evaluation was refused (a conflict): it removes nothing when it ends. */
  failed: boolean;
  /** Handlers registered so far per name: the next one's place in the module. */
  readonly places: Map<string, number>;
}

/** A handler taken away because the module that registered it no longer does. */
export interface RemovedHandler {
  readonly name: string;
  readonly label: string;
  readonly module: string;
}

/** What a reload did: the modules evaluated again, and the handlers they no longer register. */
export interface ReloadOutcome {
  readonly modules: string[];
  readonly removed: RemovedHandler[];
}

/** What a dev server that re-imports modules itself gets from `EventBus.trackModules`. */
export interface ModuleReloads {
  /**
   * Runs `evaluate` (which imports the modules again) as one new evaluation of every module
   * `inScope`; once it resolves, what those modules registered before and not now is removed.
   */
  reevaluate(inScope: (module: string) => boolean, evaluate: () => Promise<unknown>): Promise<ReloadOutcome>;
}

/** Removes what `module` registered in evaluations older than `before`. */
export type Sweep = (module: string, before: number) => RemovedHandler[];

/**
 * Development: the evaluations of the modules that declare and register. A module evaluated
 * again (a saved file re-imported, a route re-run by Next) replaces what its last evaluation
 * registered: a handler keeps its place in the module (its n-th handler for a name), so an edited
 * one replaces the old one instead of joining it, and whatever the new evaluation no longer
 * registers is swept when it ends.
 *
 * An evaluation ends with the turn of the event loop it started in (a module's top level runs in
 * one go), or, for modules reloaded through `reevaluate`, when that reload's import settles. One
 * that failed (a refused registration, a reload that threw) removes nothing: the handlers it did
 * not get to register again keep their previous code until the next evaluation.
 *
 * What cannot be seen: a module's new evaluation that registers and declares nothing at all (every
 * handler deleted from a route file). Its handlers stay until the module registers again or the
 * server restarts; for `reevaluate`d modules it is seen (they are all evaluated).
 */
export class ModuleEvaluations implements ModuleReloads {
  readonly #locate: ModuleLocator;
  readonly #sweep: Sweep;
  #seq = 0;
  #latest = new Map<string, Evaluation>();
  #reload: { inScope: (module: string) => boolean; evaluations: Map<string, Evaluation> } | undefined;

  constructor(locate: ModuleLocator, sweep: Sweep) {
    this.#locate = locate;
    this.#sweep = sweep;
  }

  /**
   * The evaluation making the current registration (found above `skip` on the stack), opened if
   * needed; undefined when no module is being evaluated (a registration made at run time).
   */
  owner(skip: (...args: never[]) => unknown): Owner | undefined {
    const located = this.#locate(callerFrames(skip));
    return located === undefined ? undefined : this.enter(located);
  }

  /** The open evaluation of `module`, or a new one. */
  enter(module: string): Owner {
    const reload = this.#reload;
    if (reload?.inScope(module)) {
      let evaluation = reload.evaluations.get(module);
      if (!evaluation) reload.evaluations.set(module, (evaluation = this.#open(module)));
      return evaluation;
    }
    const latest = this.#latest.get(module);
    if (latest?.open) return latest;
    const evaluation = this.#open(module);
    setImmediate(() => this.#close(evaluation)).unref();
    return evaluation;
  }

  /** The handler's place in its module: 1 for the module's first handler of `name` in this evaluation, and so on. */
  place(owner: Owner, name: string): number {
    const places = (owner as Evaluation).places;
    const place = (places.get(name) ?? 0) + 1;
    places.set(name, place);
    return place;
  }

  /** A registration of the owner's evaluation was refused: when it ends, it removes nothing. */
  fail(owner: Owner): void {
    (owner as Evaluation).failed = true;
  }

  /** The owner's module is being evaluated again: what it registered is about to be replaced. */
  isSuperseded(owner: Owner): boolean {
    const latest = this.#latest.get(owner.module);
    return latest !== undefined && latest.open && latest.evaluation > owner.evaluation;
  }

  /**
   * Runs `evaluate` (which imports the modules again) as one new evaluation of every module
   * `inScope`; once it resolves, what those modules registered before and not now is removed,
   * all of it for a module in scope that was not evaluated again. When `evaluate` throws,
   * nothing is removed (the handlers it replaced stay replaced) and the error is rethrown.
   */
  async reevaluate(inScope: (module: string) => boolean, evaluate: () => Promise<unknown>): Promise<ReloadOutcome> {
    if (this.#reload) throw new Error("A reload is already under way: wait for it before starting another");
    const reload = { inScope, evaluations: new Map<string, Evaluation>() };
    this.#reload = reload;
    try {
      await evaluate();
    } catch (error) {
      for (const evaluation of reload.evaluations.values()) evaluation.open = false;
      throw error;
    } finally {
      this.#reload = undefined;
    }
    const removed: RemovedHandler[] = [];
    for (const known of [...this.#latest.keys()].filter(inScope)) {
      const evaluation = reload.evaluations.get(known);
      if (evaluation) {
        removed.push(...this.#close(evaluation));
      } else {
        this.#latest.delete(known);
        removed.push(...this.#sweep(known, Number.POSITIVE_INFINITY));
      }
    }
    return { modules: [...reload.evaluations.keys()].sort(), removed };
  }

  #open(module: string): Evaluation {
    const evaluation: Evaluation = { module, evaluation: ++this.#seq, open: true, failed: false, places: new Map() };
    this.#latest.set(module, evaluation);
    return evaluation;
  }

  #close(evaluation: Evaluation): RemovedHandler[] {
    evaluation.open = false;
    if (evaluation.failed || this.#latest.get(evaluation.module) !== evaluation) return [];
    return this.#sweep(evaluation.module, evaluation.evaluation);
  }
}
