/**
 * What a transport reports about its instance for the cluster view (`bus.reportStatus`). The
 * bus passes it on without reading it; a monitor's `describe` reads it back, from every instance.
 */
// A type, not an interface: it must fit the bus's `Record<string, unknown>` status.
export type TransportStatus = {
  connections: number;
  monitors: number;
  /** Subscribed connections per event. */
  subscribers: Record<string, number>;
};

export function isTransportStatus(value: unknown): value is TransportStatus {
  if (typeof value !== "object" || value === null) return false;
  const status = value as Partial<TransportStatus>;
  return typeof status.connections === "number" && typeof status.monitors === "number" && typeof status.subscribers === "object" && status.subscribers !== null;
}
