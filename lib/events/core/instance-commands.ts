import { describeError, NotFoundError, TimeoutError } from "../shared/errors";
import type { BusAdapter } from "./adapter";
import type { Settled } from "./bus-types";
import { withDeadline } from "./deadline";

/**
 * A peer request whose query starts with this is an instance command, never a declared query:
 * no declared name can start with it (see NAME_CHARACTERS), so the two cannot collide.
 */
export const COMMAND_PREFIX = "#";

export type InstanceCommandHandler = (data: unknown) => unknown;

/** One instance's answer to a command. */
export type InstanceReply<T = unknown> = { instance: string; ok: true; value: T } | { instance: string; ok: false; error: Error };

/**
 * Commands every instance of the app answers for itself (its connections, closing one of them):
 * operations, not app events. Unlike queries they are not declared, not traced and not counted,
 * so a dashboard polling them does not fill its own traffic list. With Redis they travel as peer
 * requests to every live instance; alone, the instance answers itself.
 */
export class InstanceCommands {
  #handlers = new Map<string, InstanceCommandHandler>();

  /** Answers `name` on this instance; returns the function that stops answering it. */
  on(name: string, handler: InstanceCommandHandler): () => void {
    this.#handlers.set(name, handler);
    return () => {
      if (this.#handlers.get(name) === handler) this.#handlers.delete(name);
    };
  }

  /** Whether a peer request's query names a command. */
  static isCommand(query: string): boolean {
    return query.startsWith(COMMAND_PREFIX);
  }

  /** Runs a command a peer sent, as the one outcome of a peer request. */
  async answer(query: string, data: unknown, timeoutMs: number): Promise<Settled<unknown>[]> {
    const name = query.slice(COMMAND_PREFIX.length);
    try {
      return [{ ok: true, handler: name, value: await withDeadline(Promise.resolve(this.#run(name, data)), timeoutMs, undefined, `Command "${name}"`) }];
    } catch (error) {
      return [{ ok: false, handler: name, error }];
    }
  }

  /** Asks this instance and every other live one; each answers or says why not, within `timeoutMs`. */
  async ask<T>(name: string, data: unknown, self: string, adapter: BusAdapter, timeoutMs: number): Promise<InstanceReply<T>[]> {
    const local = (async (): Promise<InstanceReply<T>> => {
      try {
        return { instance: self, ok: true, value: (await withDeadline(Promise.resolve(this.#run(name, data)), timeoutMs, undefined, `Command "${name}"`)) as T };
      } catch (error) {
        return { instance: self, ok: false, error: asError(error) };
      }
    })();
    const peers = adapter.instances().map((info) => info.id).filter((id) => id !== self);
    const remote = peers.length === 0 ? Promise.resolve([]) : adapter.askPeers(`${COMMAND_PREFIX}${name}`, data, peers, timeoutMs, "server");
    const [own, others] = await Promise.all([local, remote]);
    return [
      own,
      ...others.map((answer): InstanceReply<T> => {
        if (!answer.ok) return { instance: answer.instance, ok: false, error: asError(answer.error) };
        const outcome = answer.outcomes[0];
        if (!outcome) return { instance: answer.instance, ok: false, error: new TimeoutError(`Instance ${answer.instance} gave no answer to "${name}"`) };
        return outcome.ok ? { instance: answer.instance, ok: true, value: outcome.value as T } : { instance: answer.instance, ok: false, error: asError(outcome.error) };
      }),
    ];
  }

  #run(name: string, data: unknown): unknown {
    const handler = this.#handlers.get(name);
    if (!handler) throw new NotFoundError(`This instance does not answer the command "${name}"`);
    return handler(data);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(describeError(error));
}
