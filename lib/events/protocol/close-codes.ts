/** WebSocket close codes the protocol uses, and what a client does after each. */
export const CloseCode = {
  /** The client or server ended the session on purpose. The client does not reconnect. */
  Normal: 1000,
  /** The server is shutting down or restarting: reconnect. */
  GoingAway: 1001,
  /** No close frame arrived (network cut, process killed): reconnect. */
  Abnormal: 1006,
  /** Refused by policy (origin, authorization). The client does not reconnect. */
  Policy: 1008,
  /** A frame larger than EVENTS_MAX_PAYLOAD. */
  TooLarge: 1009,
  /** An unexpected server error. */
  ServerError: 1011,
  /** Repeated unreadable frames. */
  ProtocolAbuse: 4000,
  /** The client read too slowly and EVENTS_OVERFLOW is `disconnect`: reconnect and recover from history. */
  SlowConsumer: 4008,
  /** Kept sending after `rate_limited`. */
  RateLimited: 4029,
  /** Closed from the dashboard (the reason says why): reconnect and recover, as after any drop. */
  DisconnectedByOperator: 4100,
  /**
   * The monitor session ended: its token expired without a fresh one, or the dashboard session it
   * came from was signed out. Reconnect; the connection is a monitor again only with a new token.
   */
  MonitorSessionEnded: 4401,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Clients reconnect after every close but a normal one and a policy refusal. */
export function shouldReconnect(code: number): boolean {
  return code !== CloseCode.Normal && code !== CloseCode.Policy;
}
