export { EventsTransport, type TransportConfig, type TransportOptions, type TransportStats } from "./transport";
export { createMonitorToken, verifyMonitorToken, MONITOR_TOKEN_TTL_MS } from "./monitor-token";
export { SEND_HIGH_WATER_MARK } from "./connection";
export type { TransportCounters } from "./counters";
