export { RedisAdapter, RedisUnavailableError, type RedisAdapterOptions, type RedisStartup } from "./redis-adapter";
export { RedisRefusedError } from "./server-check";
export { createRedis, describeTarget, redisTargetOf, type RedisTarget, type SentinelAddress } from "./target";
