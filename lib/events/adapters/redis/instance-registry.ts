import type { Redis } from "ioredis";
import type { AdapterHost, AdapterState, InstanceInfo } from "../../core/adapter";
import type { Logger } from "../../core/logger";
import type { Keys } from "./wire";

/** How often an instance announces itself, and how long an announcement lasts. */
export const ANNOUNCE_INTERVAL_MS = 2_000;
export const ANNOUNCE_TTL_MS = 3 * ANNOUNCE_INTERVAL_MS;

/**
 * The cluster's members: each instance keeps a key with its figures and a TTL, refreshed on a
 * heartbeat, and reads everyone's keys on the same beat. A crashed instance disappears when its
 * key expires.
 */
export class InstanceRegistry {
  #known: InstanceInfo[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly self: string,
    private readonly startedAt: number,
    private readonly keys: Keys,
    private readonly commands: Redis,
    private readonly logger: Logger,
    private readonly state: () => AdapterState,
    /** Instances that were known and are gone (their key expired: they died). */
    private readonly onGone: (gone: ReadonlySet<string>) => void = () => {},
  ) {}

  /** The ids of the instances known now, this one included. */
  liveIds(): Set<string> {
    return new Set([this.self, ...this.#known.map((info) => info.id)]);
  }

  start(host: AdapterHost): void {
    const beat = () => void this.refresh(host);
    beat();
    this.#timer = setInterval(beat, ANNOUNCE_INTERVAL_MS).unref();
  }

  /** Announces this instance and reads the others. Failures (Redis down) keep the last view. */
  async refresh(host: AdapterHost): Promise<void> {
    const self = this.#selfInfo(host);
    try {
      await this.commands.set(this.keys.instance(this.self), JSON.stringify(self), "PX", ANNOUNCE_TTL_MS);
      const names: string[] = [];
      let cursor = "0";
      do {
        const [next, batch] = await this.commands.scan(cursor, "MATCH", this.keys.instancePattern, "COUNT", 100);
        cursor = next;
        names.push(...batch);
      } while (cursor !== "0");
      const values = names.length > 0 ? await this.commands.mget(names) : [];
      const before = new Set(this.#known.map((info) => info.id));
      this.#known = values.flatMap((value) => {
        if (!value) return [];
        try {
          return [JSON.parse(value) as InstanceInfo];
        } catch {
          return [];
        }
      });
      const now = this.liveIds();
      const gone = new Set([...before].filter((id) => !now.has(id)));
      if (gone.size > 0) this.onGone(gone);
    } catch (error) {
      this.logger.debug({ err: error }, "Could not refresh the instance registry");
    }
  }

  /** Everyone, this instance first (with fresh figures), then the others by id. */
  all(host: AdapterHost): InstanceInfo[] {
    const others = this.#known.filter((info) => info.id !== this.self).sort((a, b) => a.id.localeCompare(b.id));
    return [this.#selfInfo(host), ...others];
  }

  /** Other instances with handlers for `query`, by id. */
  answering(query: string): string[] {
    return this.#known
      .filter((info) => info.id !== this.self && (info.queries[query] ?? 0) > 0)
      .map((info) => info.id)
      .sort();
  }

  /** Trace observers (monitors) on other instances: they want this instance's traces. */
  remoteObservers(): number {
    return this.#known.reduce((sum, info) => (info.id === this.self ? sum : sum + (info.observers ?? 0)), 0);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.commands.del(this.keys.instance(this.self)).catch(() => {});
  }

  #selfInfo(host: AdapterHost): InstanceInfo {
    return { id: this.self, startedAt: this.startedAt, seenAt: Date.now(), state: this.state(), ...host.describeSelf() };
  }
}
