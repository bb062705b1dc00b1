import type { EventBus } from "../core/bus";
import type { PresenceMember } from "../core/presence";
import type { Connection } from "./connection";

/**
 * The connections that subscribed with `presence: true`, by name. Each first hears who is there,
 * itself included (so its joins minus its leaves are always the members, as the presence op lists
 * them), then a `join` or `leave` frame for every other member that comes or goes, on any instance.
 */
export class PresenceWatch {
  #watchers = new Map<string, Set<Connection>>();
  #stop: () => void;

  constructor(bus: EventBus) {
    this.#stop = bus.onPresence((name, change, member) => {
      for (const watcher of this.#watchers.get(name) ?? []) if (watcher.id !== member.connection) watcher.send({ type: change, event: name, member });
    });
  }

  /** Starts watching, after telling the connection who is there already (itself too). */
  watch(connection: Connection, name: string, present: readonly PresenceMember[]): void {
    for (const member of present) connection.send({ type: "join", event: name, member });
    let watchers = this.#watchers.get(name);
    if (!watchers) this.#watchers.set(name, (watchers = new Set()));
    watchers.add(connection);
  }

  unwatch(connection: Connection, name: string): void {
    const watchers = this.#watchers.get(name);
    if (watchers?.delete(connection) && watchers.size === 0) this.#watchers.delete(name);
  }

  forget(connection: Connection): void {
    for (const name of [...this.#watchers.keys()]) this.unwatch(connection, name);
  }

  close(): void {
    this.#stop();
    this.#watchers.clear();
  }
}
