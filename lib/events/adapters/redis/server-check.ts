import type { Redis } from "ioredis";

/**
 * Why the Redis server at the other end of `redis` cannot carry the bus, or undefined when it can.
 * - A replica is read-only: every publish would fail with READONLY. (Through Sentinel, ioredis
 *   already refuses a server that is not the primary and asks again; a URL may still name one.)
 * - A Redis Cluster node: the scripts touch keys of several hash slots (the epoch, a name's
 *   sequence and stream, the names set, and keys named inside the script), and cluster pub/sub
 *   is a different thing; see the README's "Redis that fails over".
 */
export async function unsuitableServer(redis: Redis): Promise<string | undefined> {
  const info = await redis.info();
  if (/^cluster_enabled:1\s*$/m.test(info)) {
    return "runs in cluster mode, which the events adapter does not support (its Lua scripts use keys of several hash slots): use a single primary, with replicas and Sentinel for failover";
  }
  if (/^role:(slave|replica)\s*$/m.test(info)) {
    return "is a replica (read-only): point EVENTS_REDIS_URL at the primary, or set EVENTS_REDIS_SENTINELS and EVENTS_REDIS_MASTER_NAME to follow the primary through Sentinel";
  }
  return undefined;
}

/** Redis answered, but is not a server the bus can run on (a replica, a cluster node). Not retried: the configuration must change. */
export class RedisRefusedError extends Error {
  override readonly name = "RedisRefusedError";
}
