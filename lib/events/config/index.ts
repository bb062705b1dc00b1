export { loadConfig, DEFAULT_CONFIG_FILE } from "./load";
export type { LoadOptions, LoadedConfig } from "./load";
export { KEYS, SAMPLE_SECRET, TRANSPORT_OVERFLOW_POLICIES } from "./keys";
export type { EventsConfig, TransportOverflow } from "./keys";
export { parseIni } from "./ini";
