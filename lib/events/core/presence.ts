/** One member of a presence-tracked event: a browser connection, and what the app's `identify` hook said of it. */
export interface PresenceMember {
  /** The connection's id (its `client:<id>` in traces). */
  connection: string;
  /** The hook's answer, exactly (absent for an anonymous connection). */
  info?: Record<string, unknown>;
}

export type PresenceChange = "join" | "leave";
export type PresenceListener = (name: string, change: PresenceChange, member: PresenceMember) => void;

/** Who is subscribed to a presence-tracked event: at most MAX_LISTED members, `truncated` beyond. */
export interface PresenceList {
  count: number;
  members: PresenceMember[];
  truncated?: true;
}

/** The most members a list carries. */
export const MAX_LISTED = 1_000;

/** This instance's members of presence-tracked events, by name, in the order they joined. */
export class LocalPresence {
  #byName = new Map<string, Map<string, PresenceMember>>();

  /** True when the member is new (not a second subscribe of the same connection). */
  join(name: string, member: PresenceMember): boolean {
    let members = this.#byName.get(name);
    if (!members) this.#byName.set(name, (members = new Map()));
    if (members.has(member.connection)) return false;
    members.set(member.connection, member);
    return true;
  }

  /** The member that left, if it was one. */
  leave(name: string, connection: string): PresenceMember | undefined {
    const members = this.#byName.get(name);
    const member = members?.get(connection);
    if (!member) return undefined;
    members!.delete(connection);
    if (members!.size === 0) this.#byName.delete(name);
    return member;
  }

  members(name: string): PresenceMember[] {
    return [...(this.#byName.get(name)?.values() ?? [])];
  }

  /** Every member of every name, for an adapter that must share them again (Redis came back). */
  all(): { name: string; member: PresenceMember }[] {
    return [...this.#byName].flatMap(([name, members]) => [...members.values()].map((member) => ({ name, member })));
  }
}

/** The list as it is answered: every member counted, at most MAX_LISTED listed. */
export function presenceList(members: readonly PresenceMember[]): PresenceList {
  if (members.length <= MAX_LISTED) return { count: members.length, members: [...members] };
  return { count: members.length, members: members.slice(0, MAX_LISTED), truncated: true };
}

/** What the presence hub needs of the adapter: sharing with other instances, and their members. */
export interface PresencePort {
  sharePresence(name: string, change: PresenceChange, member: PresenceMember): void;
  remotePresence(name: string): readonly PresenceMember[];
}

/**
 * Presence for one bus: this instance's members, the other instances' (through the adapter),
 * and the listeners who hear every join and leave, here or elsewhere. A throwing listener is
 * logged and never stops the others.
 */
export class PresenceHub {
  #local = new LocalPresence();
  #listeners = new Set<PresenceListener>();

  constructor(
    private readonly port: () => PresencePort,
    private readonly warn: (error: unknown) => void,
  ) {}

  join(name: string, member: PresenceMember): void {
    if (!this.#local.join(name, member)) return;
    this.port().sharePresence(name, "join", member);
    this.notify(name, "join", member);
  }

  leave(name: string, connection: string): void {
    const member = this.#local.leave(name, connection);
    if (!member) return;
    this.port().sharePresence(name, "leave", member);
    this.notify(name, "leave", member);
  }

  /** Every member, this instance's first. */
  list(name: string): PresenceList {
    return presenceList([...this.#local.members(name), ...this.port().remotePresence(name)]);
  }

  listen(listener: PresenceListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A join or leave, here or (from the adapter) on another instance. */
  notify(name: string, change: PresenceChange, member: PresenceMember): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(name, change, member);
      } catch (error) {
        this.warn(error);
      }
    }
  }

  /** This instance's members, for an adapter that must share them again. */
  local(): { name: string; member: PresenceMember }[] {
    return this.#local.all();
  }
}
