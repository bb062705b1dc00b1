import type { Declaration } from "../core/declarations";
import type { Logger } from "../core/logger";
import type { Connection } from "./connection";

/**
 * What a name's `authorize` hook said about a connection subscribed to it only through a pattern:
 * asked once per connection and name (at the subscribe for the names that match then, at the
 * first event for names declared later), then remembered. A name the hook refuses is left out of
 * the pattern, silently; a hook that throws refuses.
 */
export class PatternGate {
  #decisions = new WeakMap<Connection, Map<string, boolean | Promise<boolean>>>();

  constructor(private readonly logger: Logger) {}

  /** true or false when known; a promise while the hook is thinking (the caller holds the events meanwhile). */
  admits(connection: Connection, declaration: Declaration): boolean | Promise<boolean> {
    const hook = declaration.authorize;
    if (!hook) return true;
    let decisions = this.#decisions.get(connection);
    if (!decisions) this.#decisions.set(connection, (decisions = new Map()));
    const known = decisions.get(declaration.name);
    if (known !== undefined) return known;
    const decision = this.#ask(connection, declaration, hook);
    decisions.set(declaration.name, decision);
    if (typeof decision !== "boolean") void decision.then((allowed) => decisions.set(declaration.name, allowed));
    return decision;
  }

  /** Forgets the answers about names under `prefix` (the pattern was unsubscribed: ask again next time). */
  forget(connection: Connection, prefix: string): void {
    const decisions = this.#decisions.get(connection);
    if (!decisions) return;
    for (const name of [...decisions.keys()]) if (name.startsWith(prefix)) decisions.delete(name);
  }

  #ask(connection: Connection, declaration: Declaration, hook: NonNullable<Declaration["authorize"]>): boolean | Promise<boolean> {
    const refuse = (error: unknown) => {
      this.logger.error({ event: declaration.name, action: "subscribe", connection: connection.id, err: error }, `The authorize hook of "${declaration.name}" threw`);
      return false;
    };
    try {
      const answer = hook("subscribe", { name: declaration.name, connection: connection.info });
      if (typeof answer === "boolean") return answer;
      return Promise.resolve(answer).then((allowed) => allowed === true, refuse);
    } catch (error) {
      return refuse(error);
    }
  }
}
