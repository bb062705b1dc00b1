import type { ClientOpType, EventFrame, GapFrame, OkFrame } from "../protocol/frames";
import { timeoutError, type OpFields, type OpOptions } from "./pending-ops";
import { createRecentIds, type RecentIds } from "./recent-ids";
import { reportProblem } from "./report";

/** What a manager offers the shared connection to receive what it subscribed to. */
export interface SubscriptionMember {
  onEvent(frame: EventFrame): void;
  onGap(frame: GapFrame): void;
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
  /** Adds `member` as a holder of `name`; resolves once the server has accepted the subscription. */
  hold(name: string, member: SubscriptionMember, timeoutMs: number): Promise<SubscribeResult>;
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
  /** Delivers an event to the holders of its name, once per id. */
  receive(frame: EventFrame): void;
  /** Tells the holders of a name that events were lost. */
  gap(frame: GapFrame): void;
}

interface Waiter {
  member: SubscriptionMember;
  resolve(result: SubscribeResult): void;
  reject(error: Error): void;
}

/** One event name on the wire, shared by every manager of the connection that holds it. */
interface Entry {
  readonly name: string;
  readonly holders: Set<SubscriptionMember>;
  /** What the server believes about this name on the current socket (or is being told). */
  status: "idle" | "subscribing" | "subscribed" | "unsubscribing";
  /** The `since` of the next resubscribe. */
  lastId: string | undefined;
  readonly recent: RecentIds;
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
  /** Bumped on every disconnect: answers that arrive for an older socket are ignored. */
  let generation = 0;

  const table: Subscriptions = {
    hold(name, member, timeoutMs) {
      let entry = entries.get(name);
      if (!entry) {
        entry = { name, holders: new Set(), status: "idle", lastId: undefined, recent: createRecentIds(recentIds), waiters: new Set() };
        entries.set(name, entry);
      }
      const isNewHolder = !entry.holders.has(member);
      entry.holders.add(member);
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
      const entry = entries.get(frame.event);
      if (!entry || entry.holders.size === 0 || !entry.recent.add(frame.id)) return;
      entry.lastId = frame.id;
      // Members guard their own handlers (callSafely), so one manager's bug cannot stop the next.
      for (const member of [...entry.holders]) member.onEvent(frame);
    },
    gap(frame) {
      for (const member of [...(entries.get(frame.event)?.holders ?? [])]) member.onGap(frame);
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
    const fields = entry.lastId === undefined ? { event: entry.name } : { event: entry.name, since: entry.lastId };
    const isCurrent = currentCheck(entry);
    port.call("subscribe", fields, { label: `Subscribe "${entry.name}"`, early: true }).then(
      (ok) => {
        if (!isCurrent()) return;
        entry.status = "subscribed";
        // With no event seen yet, the newest id the server knows is where a reconnect resumes.
        if (entry.lastId === undefined && typeof ok.last === "string") entry.lastId = ok.last;
        const result: SubscribeResult = typeof ok.recovered === "boolean" ? { recovered: ok.recovered } : {};
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
