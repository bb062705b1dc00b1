import { CloseCode } from "../protocol/close-codes";

/**
 * `connecting` until the first `welcome`; `connected` while a welcomed socket is open;
 * `reconnecting` between a lost socket and the next `welcome`; `closed` for good.
 */
export type ConnectionState = "connecting" | "connected" | "reconnecting" | "closed";

/** Why the state changed. Every change names one, so a UI (and a log) can say what happened. */
export type StateReason =
  /** The first socket of this connection is being opened. */
  | "open"
  /** The server's `welcome` arrived: the socket is usable. */
  | "welcome"
  /** The server closed the socket with a close code (1000 ends the connection; most others are retried). */
  | "closed-by-server"
  /** The socket failed without a close frame (1006): network cut, server killed, upgrade refused. */
  | "network"
  /** Nothing arrived for a heartbeat, and a `ping` went unanswered for another one. */
  | "heartbeat-timeout"
  /** No `welcome` within `connectTimeout`. */
  | "connect-timeout"
  /** `close()` was called (on the last manager, for the shared connection). */
  | "closed-by-client"
  /** The server refused by policy (1008: origin, authorization): retrying cannot help. */
  | "policy"
  /** The server speaks another protocol version: retrying cannot help. */
  | "protocol";

/** What comes with a state change. */
export interface StateDetail {
  reason: StateReason;
  /** The close code of the socket that ended, when one did. */
  closeCode?: number;
  /** The close frame's reason text, when the server gave one. */
  closeReason?: string;
  /** `reconnecting` only: the next attempt starts in this many ms. */
  retryInMs?: number;
  /** `reconnecting` only: how many attempts failed since the last `welcome` (0 for the first retry). */
  attempt?: number;
  /** `connected` only, from the `welcome` frame: the server's id for this connection. */
  connection?: string;
  /** `connected` only: which server instance answered. */
  instance?: string;
  /** `connected` only: when that instance started, ms since the epoch. */
  startedAt?: number;
  /** `connected` only: the server's heartbeat interval in ms. */
  heartbeat?: number;
}

export type StateListener = (state: ConnectionState, detail: StateDetail) => void;

/** The reason to report for a socket the server (or the network) closed. */
export function reasonForClose(code: number): StateReason {
  if (code === CloseCode.Policy) return "policy";
  if (code === CloseCode.Abnormal) return "network";
  return "closed-by-server";
}
