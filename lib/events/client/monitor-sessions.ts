import type { GapFrame, TraceFrame } from "../protocol/frames";
import { callSafely, reportProblem } from "./report";

/** A monitor token, or a function that fetches a fresh one (tokens expire; it is called on every reconnect). */
export type MonitorToken = string | (() => string | Promise<string>);

/** What a manager offers to hear about lost trace records. */
export interface MonitorMember {
  onGap(frame: GapFrame): void;
}

/** The monitor sessions on one shared connection. */
export interface MonitorSessions {
  readonly active: boolean;
  /** Adds a session; returns the function that removes it. */
  add(member: MonitorMember, token: MonitorToken, onTrace: (trace: TraceFrame) => void): () => void;
  removeMember(member: MonitorMember): void;
  trace(frame: TraceFrame): void;
  /** A `gap` for "*": trace records were dropped. Each monitoring manager hears it once. */
  gap(frame: GapFrame): void;
  /**
   * Makes a reconnected socket a monitor session again: sends each session's (fresh) token until
   * one is accepted. Resolves to whether one was.
   */
  authorize(send: (token: string) => Promise<unknown>, stillCurrent: () => boolean): Promise<boolean>;
}

interface Session {
  readonly member: MonitorMember;
  readonly token: MonitorToken;
  readonly onTrace: (trace: TraceFrame) => void;
}

/** Reads a token, whichever form it was given in. */
export async function resolveToken(token: MonitorToken): Promise<string> {
  return typeof token === "function" ? await token() : token;
}

/**
 * The protocol makes the whole connection a monitor, so any accepted token will do; each session
 * keeps its own token (function) so that after a reconnect the connection can try them in turn.
 */
export function createMonitorSessions(): MonitorSessions {
  const sessions = new Set<Session>();
  return {
    get active() {
      return sessions.size > 0;
    },
    add(member, token, onTrace) {
      const session: Session = { member, token, onTrace };
      sessions.add(session);
      return () => void sessions.delete(session);
    },
    removeMember(member) {
      for (const session of [...sessions]) if (session.member === member) sessions.delete(session);
    },
    trace(frame) {
      for (const session of [...sessions]) callSafely("A trace listener", () => session.onTrace(frame));
    },
    gap(frame) {
      // Members guard their own listeners, as with events.
      for (const member of new Set([...sessions].map((session) => session.member))) member.onGap(frame);
    },
    async authorize(send, stillCurrent) {
      for (const session of [...sessions]) {
        if (!stillCurrent()) return false;
        try {
          await send(await resolveToken(session.token));
          return true;
        } catch (error) {
          if (!stillCurrent()) return false;
          reportProblem("Re-authorizing the monitor session failed:", error);
        }
      }
      return false;
    },
  };
}
