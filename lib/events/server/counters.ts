/** Monotonic counts of what the transport did, for metrics (`/metrics`) and the soak and chaos runs. */
export interface TransportCounters {
  connectionsAccepted: number;
  /** Upgrades refused, by HTTP status (403 origin, 400 subprotocol, 503 shutting down). */
  upgradesRefused: Record<number, number>;
  /** Event frames written or queued to browsers. */
  deliveries: number;
  /** Gap frames sent, by reason. */
  gaps: { overflow: number; history: number };
  /** Events a slow connection did not get, by the policy that dropped them. */
  drops: { "drop-oldest": number; "drop-newest": number; disconnect: number; held: number };
  slowConsumerDisconnects: number;
  /** Subscribes with `since`, by whether everything missed could be replayed. */
  recoveries: { recovered: number; unrecovered: number };
  rateLimited: number;
  badFrames: number;
}

export function newCounters(): TransportCounters {
  return {
    connectionsAccepted: 0,
    upgradesRefused: {},
    deliveries: 0,
    gaps: { overflow: 0, history: 0 },
    drops: { "drop-oldest": 0, "drop-newest": 0, disconnect: 0, held: 0 },
    slowConsumerDisconnects: 0,
    recoveries: { recovered: 0, unrecovered: 0 },
    rateLimited: 0,
    badFrames: 0,
  };
}
