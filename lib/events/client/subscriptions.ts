import type { ClientOpType, EventFrame, GapFrame, JoinFrame, LeaveFrame, OkFrame } from "../protocol/frames";
import { isPattern, matchesPrefix } from "../protocol/name-pattern";
import { timeoutError, type OpFields, type OpOptions } from "./pending-ops";
import { createRecentIds, type RecentIds } from "./recent-ids";
import { reportProblem } from "./report";

/** What a manager offers the shared connection to receive what it subscribed to. */
export interface SubscriptionMember {
  onEvent(frame: EventFrame): void;
  onGap(frame: GapFrame): void;
  /** Someone joined or left a presence-tracked event this member subscribed to with presence. */
  onPresence?(frame: JoinFrame | LeaveFrame): void;
}

/** How the table reaches the wire; the shared connection implements it. */
export interface SubscriptionPort {
  /** True while the current socket has been welcomed. */
  readonly welcomed: boolean;
  call<T extends ClientOpType>(type: T, fields: OpFields<T>, options: OpOptions): Promise<OkFrame<T>>;
}

/** What `subscribe` resolves to: `recovered` only when the server answered a subscribe that carried `since`. */
export interface SubscribeResult {
  recovered?: boolean;
}

/** Makes the error for an op that will never be answered; `label` names the op. */
export type ErrorForOp = (label: string) => Error;

/** The wire subscriptions of one shared connection. */
export interface Subscriptions {
  /**
   * Adds `member` as a holder of `name` (a name, or a pattern such as `model:*`); resolves once
   * the server has accepted the subscription. `presence`: this holder also wants join and leave
   * frames (presence-tracked names only).
   */
  hold(name: string, member: SubscriptionMember, timeoutMs: number, presence?: boolean): Promise<SubscribeResult>;
  /**
   * Removes `member` as a holder of `name`; the wire lets go when nobody holds it any more. A
   * subscribe of this member still waiting for its answer settles now: rejected with
   * `cancelled(label)` when given (its manager closed), else resolved (the unsubscribe came later).
   */
  release(name: string, member: SubscriptionMember, cancelled?: ErrorForOp): void;
  /** Releases every name `member` holds: its manager closed. */
  releaseAll(member: SubscriptionMember, cancelled: ErrorForOp): void;
  /** The current socket was welcomed: put every held name on it, with `since` where known. */
  connected(): void;
  /** The socket ended, and the server forgot its subscriptions. Holders stay, to be resubscribed. */
  disconnected(): void;
  /** The connection closed for good: every subscribe still waiting is rejected. */
  clear(reason: ErrorForOp): void;
  /** Delivers an event to the holders of its name and of every pattern it matches: to each holder once, once per id. */
  receive(frame: EventFrame): void;
  /** Tells the holders of a name (and of its patterns) that events were lost. */
  gap(frame: GapFrame): void;
  /** Hands a join or leave frame to the holders of its name that asked for presence. */
  presence(frame: JoinFrame | LeaveFrame): void;
}

interface Waiter {
  member: SubscriptionMember;
  resolve(result: SubscribeResult): void;
  reject(error: Error): void;
}

/** One event name or pattern on the wire, shared by every manager of the connection that holds it. */
interface Entry {
  readonly name: string;
  /** For a pattern (`model:*`), what a name must start with (`model:`). */
  readonly prefix: string | undefined;
  readonly holders: Set<SubscriptionMember>;
  /** Holders that asked for join and leave frames (a name's only). */
  readonly watchers: Set<SubscriptionMember>;
  /** What the server believes about this name on the current socket (or is being told). */
  status: "idle" | "subscribing" | "subscribed" | "unsubscribing";
  /** Whether the server sends this socket presence frames for it. */
  presenceOnWire: boolean;
  /** The `since` of the next resubscribe: the last id seen of the name, or (a pattern) of each name it matched. */
  lastId: string | undefined;
  readonly lastIds: Map<string, string>;
  /** `subscribe` calls waiting for the server's answer. */
  readonly waiters: Set<Waiter>;
}

/**
 * Ref-counts subscriptions across managers. Each name is reconciled like a tiny controller: the
 * wanted state (does anyone hold it?) is compared with the wire state, with at most one op per
 * name in flight. That one rule answers every case: the first holder sends `subscribe`, later ones
 * wait for its answer or resolve at once, the last leaver sends `unsubscribe`, a name held again
 * mid-unsubscribe is subscribed again after it, and after a reconnect every held name is
 * subscribed again with `since`.
 */
export function createSubscriptions(port: SubscriptionPort, recentIds: number): Subscriptions {
  const entries = new Map<string, Entry>();
  /** Recent ids per concrete name, shared by its entry and its patterns': an event is handled once. */
  const recent = new Map<string, RecentIds>();
  /** Bumped on every disconnect: answers that arrive for an older socket are ignored. */
  let generation = 0;

  /** The entries an event of `name` reaches: its own, and every pattern's that matches it. */
  function entriesOf(name: string): Entry[] {
    const found: Entry[] = [];
    for (const entry of entries.values()) {
      if (entry.holders.size > 0 && (entry.prefix === undefined ? entry.name === name : matchesPrefix(entry.prefix, name))) found.push(entry);
    }
    return found;
  }

  const table: Subscriptions = {
    hold(name, member, timeoutMs, presence = false) {
      let entry = entries.get(name);
      if (!entry) {
        const prefix = isPattern(name) ? name.slice(0, -1) : undefined;
        entry = { name, prefix, holders: new Set(), watchers: new Set(), status: "idle", presenceOnWire: false, lastId: undefined, lastIds: new Map(), waiters: new Set() };
        entries.set(name, entry);
      }
      const isNewHolder = !entry.holders.has(member);
      entry.holders.add(member);
      if (presence) entry.watchers.add(member);
      // A holder that wants presence where the wire has none yet: subscribe again, asking for it.
      if (entry.status === "subscribed" && presence && !entry.presenceOnWire) entry.status = "idle";
      if (entry.status === "subscribed") return Promise.resolve({});
      const { waiters } = entry;
      const answer = new Promise<SubscribeResult>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(timeoutError(`Subscribe "${name}"`, timeoutMs, port.welcomed));
          // A failed subscribe leaves the manager unsubscribed, unless it held the name before this call.
          if (isNewHolder) table.release(name, member);
        }, timeoutMs);
        const waiter: Waiter = {
          member,
          resolve: (result) => (clearTimeout(timer), resolve(result)),
          reject: (error) => (clearTimeout(timer), reject(error)),
        };
        waiters.add(waiter);
      });
      reconcile(entry);
      return answer;
    },
    release(name, member, cancelled) {
      const entry = entries.get(name);
      if (!entry?.holders.delete(member)) return;
      entry.watchers.delete(member);
      for (const waiter of [...entry.waiters]) {
        if (waiter.member !== member) continue;
        entry.waiters.delete(waiter);
        if (cancelled) waiter.reject(cancelled(`Subscribe "${name}"`));
        else waiter.resolve({});
      }
      reconcile(entry);
    },
    releaseAll(member, cancelled) {
      for (const entry of [...entries.values()]) table.release(entry.name, member, cancelled);
    },
    connected() {
      for (const entry of [...entries.values()]) reconcile(entry);
    },
    disconnected() {
      generation++;
      for (const entry of [...entries.values()]) {
        entry.status = "idle";
        reconcile(entry);
      }
    },
    clear(reason) {
      generation++;
      for (const entry of entries.values()) {
        for (const waiter of entry.waiters) waiter.reject(reason(`Subscribe "${entry.name}"`));
      }
      entries.clear();
    },
    receive(frame) {
      const reached = entriesOf(frame.event);
      if (reached.length === 0) return;
      let seen = recent.get(frame.event);
      if (!seen) recent.set(frame.event, (seen = createRecentIds(recentIds)));
      if (!seen.add(frame.id)) return;
      const members = new Set<SubscriptionMember>();
      for (const entry of reached) {
        if (entry.prefix === undefined) entry.lastId = frame.id;
        else entry.lastIds.set(frame.event, frame.id);
        for (const member of entry.holders) members.add(member);
      }
      // Members guard their own handlers (callSafely), so one manager's bug cannot stop the next.
      for (const member of members) member.onEvent(frame);
    },
    gap(frame) {
      const members = new Set(entriesOf(frame.event).flatMap((entry) => [...entry.holders]));
      for (const member of members) member.onGap(frame);
    },
    presence(frame) {
      for (const member of [...(entries.get(frame.event)?.watchers ?? [])]) member.onPresence?.(frame);
    },
  };

  function reconcile(entry: Entry): void {
    const wanted = entry.holders.size > 0;
    if (!wanted && entry.status === "idle") {
      if (entries.get(entry.name) === entry) entries.delete(entry.name);
      return;
    }
    if (!port.welcomed || entry.status === "subscribing" || entry.status === "unsubscribing") return;
    if (wanted && entry.status === "idle") subscribe(entry);
    else if (!wanted && entry.status === "subscribed") unsubscribe(entry);
  }

  function subscribe(entry: Entry): void {
    entry.status = "subscribing";
    const presence = entry.watchers.size > 0;
    const since = entry.prefix === undefined ? entry.lastId : entry.lastIds.size > 0 ? Object.fromEntries(entry.lastIds) : undefined;
    const fields = { event: entry.name, ...(since === undefined ? {} : { since }), ...(presence ? { presence } : {}) };
    const isCurrent = currentCheck(entry);
    port.call("subscribe", fields, { label: `Subscribe "${entry.name}"`, early: true }).then(
      (ok) => {
        if (!isCurrent()) return;
        entry.status = "subscribed";
        entry.presenceOnWire = presence;
        // With no event seen yet, the newest id the server knows is where a reconnect resumes.
        let recovered: boolean | undefined;
        if ("events" in ok) {
          for (const matched of ok.events) {
            if (!entry.lastIds.has(matched.event)) entry.lastIds.set(matched.event, matched.last);
            if (typeof matched.recovered === "boolean") recovered = (recovered ?? true) && matched.recovered;
          }
        } else {
          if (entry.lastId === undefined && typeof ok.last === "string") entry.lastId = ok.last;
          if (typeof ok.recovered === "boolean") recovered = ok.recovered;
        }
        const result: SubscribeResult = recovered === undefined ? {} : { recovered };
        for (const waiter of entry.waiters) waiter.resolve(result);
        entry.waiters.clear();
        reconcile(entry);
      },
      (error: Error) => {
        if (!isCurrent()) return;
        // The server refused the name (unknown, internal, forbidden): nobody holds it any more.
        entry.status = "idle";
        const told = new Set([...entry.waiters].map((waiter) => waiter.member));
        for (const waiter of entry.waiters) waiter.reject(error);
        entry.waiters.clear();
        // A resubscribe after a reconnect has no caller to reject: say so rather than go quiet.
        if ([...entry.holders].some((member) => !told.has(member))) reportProblem(`Resubscribing to "${entry.name}" failed:`, error);
        entry.holders.clear();
        reconcile(entry);
      },
    );
  }

  function unsubscribe(entry: Entry): void {
    entry.status = "unsubscribing";
    const isCurrent = currentCheck(entry);
    const done = (): void => {
      if (!isCurrent()) return;
      // Even a refusal (the name vanished in a redeploy) means the server sends nothing more.
      entry.status = "idle";
      reconcile(entry);
    };
    port.call("unsubscribe", { event: entry.name }, { label: `Unsubscribe "${entry.name}"`, early: true }).then(done, done);
  }

  /** True while `entry` is still the table's entry for its name, on the same socket. */
  function currentCheck(entry: Entry): () => boolean {
    const current = generation;
    return () => current === generation && entries.get(entry.name) === entry;
  }

  return table;
}
