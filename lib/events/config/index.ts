export { loadConfig, DEFAULT_CONFIG_FILE } from "./load";
export type { LoadOptions, LoadedConfig } from "./load";
export { KEYS, REDIS_STARTUP_POLICIES, SAMPLE_SECRET, TRANSPORT_OVERFLOW_POLICIES } from "./keys";
export type { AllowedHosts, EventsConfig, RedisStartupPolicy, TransportOverflow } from "./keys";
export { parseIni } from "./ini";
export { busSettingsOf } from "./bus-settings";
