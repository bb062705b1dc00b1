import type { Redis } from "ioredis";
import { createRedis, type RedisTarget } from "@/lib/events/adapters/redis";
import type { SessionStore } from "./session-store";

const KEY_PREFIX = "wf:dashboard:session:";

/**
 * Sessions in Redis, one key per session expiring with it: every instance sees a sign-out at
 * once, and sessions survive restarts. Commands fail fast while Redis is unreachable (no offline
 * queue), and a session that cannot be checked counts as signed out.
 */
export class RedisSessionStore implements SessionStore {
  #redis: Redis;

  /** `target`: a URL, or Sentinels and a master name (then the store follows a failover too). */
  constructor(target: RedisTarget | string) {
    this.#redis = createRedis(typeof target === "string" ? { url: target } : target, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: "wf-dashboard-sessions" });
    this.#redis.on("error", () => {}); // reconnects by itself; callers see failed commands
  }

  /**
   * Connects; throws when Redis cannot be reached within `timeoutMs` (through Sentinel, ioredis
   * would otherwise ask the Sentinels forever). Either way it goes on trying by itself.
   */
  async connect(timeoutMs = 5_000): Promise<this> {
    const connecting = this.#redis.connect();
    connecting.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([connecting, timedOut]);
    } finally {
      clearTimeout(timer);
    }
    return this;
  }

  async add(id: string, expiresAt: number): Promise<void> {
    await this.#redis.set(KEY_PREFIX + id, "1", "PX", Math.max(1, expiresAt - Date.now()));
  }

  async isLive(id: string): Promise<boolean> {
    return (await this.#redis.exists(KEY_PREFIX + id)) === 1;
  }

  async revoke(id: string): Promise<void> {
    await this.#redis.del(KEY_PREFIX + id);
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}
