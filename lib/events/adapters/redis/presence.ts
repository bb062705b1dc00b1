import type { Redis } from "ioredis";
import type { AdapterHost } from "../../core/adapter";
import type { Logger } from "../../core/logger";
import type { PresenceChange, PresenceMember } from "../../core/presence";
import type { Keys } from "./wire";

/** A presence message on its channel: one member joined or left, on `origin`. */
interface PresenceMessage {
  origin: string;
  name: string;
  change: PresenceChange;
  member: PresenceMember;
}

/**
 * Presence across instances. Each instance writes its own members to a hash per name (field
 * `<instance>/<connection>`) and announces every join and leave on a channel; every instance
 * mirrors the others' members in memory from those announcements, and reloads the mirror from
 * the hashes whenever it (re)joins Redis. When an instance disappears from the registry (its
 * key expired: it died), every other one drops its members, announcing each as a leave to its
 * own browsers, and clears its fields.
 */
export class RedisPresence {
  /** The other instances' members: name → connection → { instance, member }. */
  #mirror = new Map<string, Map<string, { instance: string; member: PresenceMember }>>();

  constructor(
    private readonly instance: string,
    private readonly keys: Keys,
    private readonly commands: Redis,
    private readonly logger: Logger,
    private readonly host: () => AdapterHost | undefined,
  ) {}

  /** Writes a local join or leave and announces it; Redis unreachable, it is shared again when it is back. */
  share(name: string, change: PresenceChange, member: PresenceMember): void {
    if (this.commands.status !== "ready") return;
    const field = `${this.instance}/${member.connection}`;
    const write = change === "join"
      ? this.commands.multi().sadd(this.keys.presenceNames, name).hset(this.keys.presence(name), field, JSON.stringify(member.info ?? null))
      : this.commands.multi().hdel(this.keys.presence(name), field);
    const message: PresenceMessage = { origin: this.instance, name, change, member };
    write.publish(this.keys.presenceChannel, JSON.stringify(message)).exec().catch((error: unknown) => {
      this.logger.debug({ event: name, err: error }, "Could not share a presence change");
    });
  }

  /** The other instances' members of `name`. */
  members(name: string): PresenceMember[] {
    return [...(this.#mirror.get(name)?.values() ?? [])].map((entry) => entry.member);
  }

  /** A message from another instance. */
  onMessage(text: string): void {
    let message: PresenceMessage;
    try {
      message = JSON.parse(text) as PresenceMessage;
    } catch {
      return;
    }
    if (message.origin === this.instance || typeof message.name !== "string" || typeof message.member?.connection !== "string") return;
    if (message.change === "join") this.#add(message.name, message.origin, message.member);
    else if (message.change === "leave") this.#remove(message.name, message.member.connection);
  }

  /**
   * (Re)joined Redis: shares this instance's members again (Redis may have lost them), and
   * rebuilds the mirror from the hashes of the live instances, telling browsers the difference.
   */
  async resync(liveInstances: ReadonlySet<string>): Promise<void> {
    const host = this.host();
    if (!host) return;
    for (const { name, member } of host.localPresence()) {
      await this.commands.multi().sadd(this.keys.presenceNames, name).hset(this.keys.presence(name), `${this.instance}/${member.connection}`, JSON.stringify(member.info ?? null)).exec();
    }
    const names = await this.commands.smembers(this.keys.presenceNames);
    const seen = new Set<string>();
    for (const name of names) {
      const fields = await this.commands.hgetall(this.keys.presence(name));
      const stale: string[] = [];
      for (const [field, value] of Object.entries(fields)) {
        const slash = field.indexOf("/");
        const instance = field.slice(0, slash);
        const connection = field.slice(slash + 1);
        if (instance === this.instance) continue;
        if (!liveInstances.has(instance)) {
          stale.push(field);
          continue;
        }
        seen.add(`${name}\n${connection}`);
        let info: unknown = null;
        try {
          info = JSON.parse(value);
        } catch {
          // a member whose info cannot be read is still a member
        }
        this.#add(name, instance, info && typeof info === "object" ? { connection, info: info as Record<string, unknown> } : { connection });
      }
      if (stale.length > 0) await this.commands.hdel(this.keys.presence(name), ...stale);
    }
    for (const [name, members] of this.#mirror) {
      for (const connection of [...members.keys()]) if (!seen.has(`${name}\n${connection}`)) this.#remove(name, connection);
    }
  }

  /** Instances that disappeared from the registry: their members leave. */
  instancesGone(gone: ReadonlySet<string>): void {
    for (const [name, members] of [...this.#mirror]) {
      const fields: string[] = [];
      for (const [connection, entry] of [...members]) {
        if (!gone.has(entry.instance)) continue;
        fields.push(`${entry.instance}/${connection}`);
        this.#remove(name, connection);
      }
      if (fields.length > 0 && this.commands.status === "ready") this.commands.hdel(this.keys.presence(name), ...fields).catch(() => {});
    }
  }

  #add(name: string, instance: string, member: PresenceMember): void {
    let members = this.#mirror.get(name);
    if (!members) this.#mirror.set(name, (members = new Map()));
    if (members.has(member.connection)) return;
    members.set(member.connection, { instance, member });
    this.host()?.presenceChanged(name, "join", member);
  }

  #remove(name: string, connection: string): void {
    const members = this.#mirror.get(name);
    const entry = members?.get(connection);
    if (!entry) return;
    members!.delete(connection);
    if (members!.size === 0) this.#mirror.delete(name);
    this.host()?.presenceChanged(name, "leave", entry.member);
  }
}
