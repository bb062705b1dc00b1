import { Redis, type RedisOptions } from "ioredis";
import type { SentinelAddress } from "../../config/keys";

export type { SentinelAddress };

/**
 * Where Redis is: one server at a URL (`EVENTS_REDIS_URL`), or whichever server the Sentinels
 * name as the primary of `masterName` (`EVENTS_REDIS_SENTINELS` + `EVENTS_REDIS_MASTER_NAME`).
 */
export type RedisTarget = { url: string } | { sentinels: readonly SentinelAddress[]; masterName: string };

/** The target the configuration names, or undefined when it names none (one process, no Redis). */
export function redisTargetOf(config: {
  redisUrl?: string | undefined;
  redisSentinels?: readonly SentinelAddress[] | undefined;
  redisMasterName?: string | undefined;
}): RedisTarget | undefined {
  if (config.redisUrl) return { url: config.redisUrl };
  if (config.redisSentinels && config.redisMasterName) return { sentinels: config.redisSentinels, masterName: config.redisMasterName };
  return undefined;
}

/** The config key(s) that named the target, for messages that tell the user what to change. */
export function targetKeys(target: RedisTarget): string {
  return "url" in target ? "EVENTS_REDIS_URL" : "EVENTS_REDIS_SENTINELS, EVENTS_REDIS_MASTER_NAME";
}

/** The target for logs and errors: a URL without its password, or the master name and its Sentinels. */
export function describeTarget(target: RedisTarget): string {
  if (!("url" in target)) return `master "${target.masterName}" of Sentinels ${target.sentinels.map(formatAddress).join(", ")}`;
  try {
    const parsed = new URL(target.url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}

/**
 * A client of the target. Through Sentinel, ioredis asks the Sentinels for the primary on every
 * (re)connect and checks its role when it gets there (a server that is not, or no longer, the
 * primary is left for the next Sentinel's answer), so every connection made this way follows a
 * failover by itself. `failoverDetector` listens for Sentinel's `+switch-master` and drops the
 * connection at once, instead of waiting for the old primary's socket to fail.
 */
export function createRedis(target: RedisTarget, options: RedisOptions, sentinelRetry?: (attempt: number) => number | null): Redis {
  if ("url" in target) return new Redis(target.url, options);
  return new Redis({
    ...options,
    sentinels: target.sentinels.map(({ host, port }) => ({ host, port })),
    name: target.masterName,
    role: "master",
    failoverDetector: true,
    sentinelRetryStrategy: sentinelRetry ?? ((attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 5), 2_000)),
    sentinelCommandTimeout: options.connectTimeout,
  });
}

function formatAddress({ host, port }: SentinelAddress): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
