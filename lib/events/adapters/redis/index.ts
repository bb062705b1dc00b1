export { RedisAdapter, RedisUnavailableError, type RedisAdapterOptions, type RedisStartup } from "./redis-adapter";
