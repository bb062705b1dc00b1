import { Redis } from "ioredis";
import { MemoryAdapter, type AdapterHost, type AdapterState, type BusAdapter, type InstanceInfo, type PeerAnswer, type ReplayFrom } from "../../core/adapter";
import { describeError } from "../../shared/errors";
import type { StoredEvent } from "../../core/history";
import type { Logger } from "../../core/logger";
import type { TraceRecord } from "../../core/trace";
import type { Source } from "../../core/types";
import { InstanceRegistry } from "./instance-registry";
import { RedisPresence } from "./presence";
import type { PresenceChange, PresenceMember } from "../../core/presence";
import { PeerRequests } from "./peer-requests";
import { formatEventId, parseEventId } from "../../protocol/event-id";
import { decodeBusMessage, DEFAULT_PREFIX, EPOCH_SCRIPT, keys, PUBLISH_SCRIPT, RESERVE_SCRIPT, seqOfEntry, SINCE_SCRIPT, type Keys } from "./wire";
import { createRedis, describeTarget, targetKeys, type RedisTarget } from "./target";
import { RedisRefusedError, unsuitableServer } from "./server-check";

export type RedisStartup = "require" | "degraded";

export interface RedisAdapterOptions {
  /** Where Redis is; `url` is short for `target: { url }`. One of the two is required. */
  target?: RedisTarget;
  url?: string;
  /** This instance's id (the bus's). */
  instance: string;
  /** Events kept per public name in its stream (EVENTS_HISTORY_SIZE). */
  historySize: number;
  logger: Logger;
  /** Key and channel prefix, to share one Redis between apps. @default "wf:events:" */
  prefix?: string;
  /** Redis unreachable at startup: fail (`require`, default) or start degraded and keep trying. */
  startup?: RedisStartup;
  /** @default 5000 */
  connectTimeoutMs?: number;
}

type PublishingRedis = Redis & {
  wfPublish(epochKey: string, seqKey: string, streamKey: string, namesKey: string, ...args: (string | number)[]): Promise<string>;
  wfReserve(epochKey: string, seqKey: string, namesKey: string, ...args: (string | number)[]): Promise<string>;
  wfEpoch(epochKey: string, proposed: string): Promise<string>;
  wfSince(epochKey: string, seqKey: string, streamKey: string, proposed: string): Promise<[string, number, [string, string[]][]]>;
};

/** How many of this instance's own recent ids per name to remember (not to deliver them twice after a catch-up). */
const OWN_RECENT = 256;

/**
 * One bus shared by every instance through Redis.
 * - Ids come from Redis (`<epoch>-<seq>` per name), public events are kept in a capped stream per
 *   name, and every event goes out on one pub/sub channel in id order.
 * - Server handlers run on the instance that triggered; browser deliveries and `listen` streams
 *   happen on every instance.
 * - While Redis is lost, this instance keeps working alone (local ids, local delivery), counts
 *   what it could not share and, once back, tells the others as gaps; it also fetches from the
 *   streams whatever it missed meanwhile. Nothing is lost silently.
 * - Through Sentinel, both connections follow the primary when it fails over; the history is
 *   bound to the Redis process that wrote it (see READ_EPOCH in wire.ts), so what the old
 *   primary acknowledged but never replicated surfaces as a gap, never as a reused id.
 */
export class RedisAdapter implements BusAdapter {
  readonly kind = "redis" as const;
  readonly #options: Required<Omit<RedisAdapterOptions, "prefix" | "startup" | "connectTimeoutMs" | "url" | "target">> & { target: RedisTarget };
  readonly #keys: Keys;
  readonly #commands: PublishingRedis;
  readonly #subscriber: Redis;
  readonly #fallback: MemoryAdapter;
  readonly #registry: InstanceRegistry;
  readonly #peers: PeerRequests;
  readonly #presence: RedisPresence;
  readonly #startedAt = Date.now();
  #host: AdapterHost | undefined;
  #epoch: string | undefined;
  /**
   * Per name, the highest sequence number this instance has accounted for (delivered, fetched or
   * reported). A name it has no entry for starts at 0: every event of a name first published after
   * this instance joined, or of a history Redis started anew, is owed to it.
   */
  #lastSeen = new Map<string, number>();
  /** Per name, how far a fetch from the stream has delivered: live messages up to it are duplicates. */
  #fetchedUpTo = new Map<string, number>();
  /** Whether this instance has taken its place in the cluster (noted where every name stood before it first listened). */
  #joined = false;
  #ownRecent = new Map<string, Set<number>>();
  /** This instance's own events between their id and their message, per name by seq (see deliverInOrder). */
  #ownTurns = new Map<string, Map<number, OwnTurn>>();
  #chains = new Map<string, Promise<void>>();
  #unshared = new Map<string, number>();
  #wasReady = false;
  #listening = false;
  #down = false;
  #closed = false;
  /** Set while the first connect must fail rather than wait for a Sentinel (EVENTS_REDIS_STARTUP=require). */
  #failFast = false;
  /** Why the server Redis gave is unfit (a replica, a cluster node); the adapter stays degraded meanwhile. */
  #refusal: string | undefined;

  private constructor(options: RedisAdapterOptions) {
    const { instance, historySize, logger } = options;
    const target = options.target ?? (options.url !== undefined ? { url: options.url } : undefined);
    if (!target) throw new TypeError("RedisAdapter needs a target (or a url)");
    this.#options = { target, instance, historySize, logger };
    this.#keys = keys(options.prefix ?? DEFAULT_PREFIX);
    const redisOptions = {
      lazyConnect: true,
      // Fail fast while Redis is away: a trigger must fall back to local delivery, not wait.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: options.connectTimeoutMs ?? 5_000,
      retryStrategy: (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 5), 2_000),
      autoResubscribe: false,
    };
    // At startup with `require`, "no Sentinel answers" must fail the start, not retry forever.
    const sentinelRetry = (attempt: number) => (this.#failFast ? null : Math.min(100 * 2 ** Math.min(attempt, 5), 2_000));
    this.#commands = createRedis(target, { ...redisOptions, enableAutoPipelining: true, connectionName: `wf-events-${instance}` }, sentinelRetry) as PublishingRedis;
    this.#commands.defineCommand("wfPublish", { numberOfKeys: 4, lua: PUBLISH_SCRIPT });
    this.#commands.defineCommand("wfReserve", { numberOfKeys: 3, lua: RESERVE_SCRIPT });
    this.#commands.defineCommand("wfEpoch", { numberOfKeys: 1, lua: EPOCH_SCRIPT });
    this.#commands.defineCommand("wfSince", { numberOfKeys: 3, lua: SINCE_SCRIPT });
    this.#subscriber = createRedis(target, { ...redisOptions, connectionName: `wf-events-${instance}-sub` }, sentinelRetry);
    this.#fallback = new MemoryAdapter(historySize, `${instance}~local`);
    this.#presence = new RedisPresence(instance, this.#keys, this.#commands, logger, () => this.#host);
    this.#registry = new InstanceRegistry(instance, this.#startedAt, this.#keys, this.#commands, logger, () => this.state, (gone) => this.#presence.instancesGone(gone));
    this.#peers = new PeerRequests(instance, this.#keys, this.#commands, logger);
    for (const client of [this.#commands, this.#subscriber]) {
      client.on("error", (error: unknown) => logger.debug({ err: error }, "Redis connection error"));
      client.on("ready", () => void this.#onReady());
      client.on("close", () => this.#onLost());
    }
    this.#subscriber.on("message", (channel: string, message: string) => this.#onMessage(channel, message));
  }

  /**
   * Connects to Redis. Unreachable: throws (naming the URL and what to do), unless `startup` is
   * `degraded`: then the adapter starts alone and joins the cluster when Redis answers.
   */
  static async connect(options: RedisAdapterOptions): Promise<RedisAdapter> {
    const adapter = new RedisAdapter(options);
    const { target } = adapter.#options;
    const require = (options.startup ?? "require") === "require";
    adapter.#failFast = require;
    const connecting = Promise.all([adapter.#commands.connect(), adapter.#subscriber.connect()]);
    connecting.catch(() => {}); // a late failure while degraded: the clients retry by themselves
    try {
      // Through Sentinel, a connect keeps asking the Sentinels until one answers: when starting
      // degraded is allowed, stop waiting after the connect timeout and let it go on meanwhile.
      const waited = require ? await connecting : await Promise.race([connecting, delay(options.connectTimeoutMs ?? 5_000)]);
      if (waited === TIMED_OUT) throw new Error(`no answer within ${options.connectTimeoutMs ?? 5_000} ms`);
    } catch (error) {
      adapter.#failFast = false;
      if (require) {
        await adapter.close();
        throw new RedisUnavailableError(
          `Cannot reach Redis at ${describeTarget(target)} (${targetKeys(target)}): ${describeError(error)}. ` +
            "Start Redis, or set EVENTS_REDIS_STARTUP=degraded to start without it and join when it answers.",
          { cause: error },
        );
      }
      options.logger.warn({ redis: describeTarget(target), err: error }, "Redis is unreachable: starting degraded (this instance alone) and retrying");
      return adapter;
    }
    adapter.#failFast = false;
    // A server this adapter cannot work on is a mistake in the configuration: refused whatever the startup policy.
    const unfit = await unsuitableServer(adapter.#commands).catch(() => undefined);
    if (unfit) {
      await adapter.close();
      throw new RedisRefusedError(`Redis at ${describeTarget(target)} (${targetKeys(target)}) ${unfit}`);
    }
    return adapter;
  }

  /** Ready once both connections are up and this instance listens to the cluster again (subscribed, caught up). */
  get state(): AdapterState {
    return this.#listening && this.#connected() && this.#refusal === undefined ? "ready" : "degraded";
  }

  #connected(): boolean {
    return this.#commands.status === "ready" && this.#subscriber.status === "ready";
  }

  get epoch(): string {
    return this.#epoch ?? this.#fallback.epoch;
  }

  get wantsTraces(): boolean {
    return this.state === "ready" && this.#registry.remoteObservers() > 0;
  }

  attach(host: AdapterHost): void {
    this.#host = host;
    this.#registry.start(host);
  }

  async publish(name: string, json: string | undefined, internal: boolean): Promise<string> {
    if (this.#commands.status === "ready") {
      const mode = json === undefined ? "n" : internal ? "i" : "p";
      try {
        const id = await this.#commands.wfPublish(
          this.#keys.epoch,
          this.#keys.seq(name),
          this.#keys.stream(name),
          this.#keys.names,
          json ?? "",
          this.#options.historySize,
          mode,
          this.#keys.busChannel,
          this.#options.instance,
          name,
          freshEpoch(),
        );
        this.#rememberOwn(name, id);
        return id;
      } catch (error) {
        this.#options.logger.warn({ event: name, err: error }, `Could not publish "${name}" to Redis: delivering it on this instance only`);
      }
    }
    if (json !== undefined) this.#unshared.set(name, (this.#unshared.get(name) ?? 0) + 1);
    return this.#fallback.publish(name, json);
  }

  /**
   * Every instance hears every event on one pub/sub channel, in id order, its own too; an event
   * it triggered gets its id on another connection, so the id and the messages around it may
   * arrive in either order. Either way the event takes its place in its name's order: a browser
   * never gets id 7 before 6, so it never resumes past an event still on its way.
   * - Every earlier event already heard (and its own message not yet): delivered at once.
   * - Its own message heard first: it holds the name's later messages until the id is here.
   * - Earlier events still on their way: it waits for its own message, which comes after them.
   * Should a message or an id never come (a connection dropped), the wait ends after
   * OWN_ORDER_WAIT_MS: late, never lost.
   */
  deliverInOrder(name: string, id: string, deliver: () => void): void | Promise<void> {
    const parsed = parseEventId(id);
    if (!parsed || parsed.epoch !== this.#epoch || !this.#listening) return deliver();
    const turn = this.#ownTurns.get(name)?.get(parsed.seq);
    if (turn) return turn.give(deliver);
    if (parsed.seq <= (this.#lastSeen.get(name) ?? 0) + 1) return this.#inOrder(name, deliver);
    return this.#turnOf(name, parsed.seq).give(deliver);
  }

  async since(name: string, since: string | undefined): Promise<ReplayFrom> {
    const sinceId = since === undefined ? undefined : parseEventId(since);
    if (sinceId?.epoch === this.#fallback.epoch || this.#commands.status !== "ready") return this.#sinceLocally(name, since);
    let epoch: string, current: number, entries: [string, string[]][];
    try {
      [epoch, current, entries] = await this.#commands.wfSince(this.#keys.epoch, this.#keys.seq(name), this.#keys.stream(name), freshEpoch());
    } catch {
      return this.#sinceLocally(name, since);
    }
    const stored: StoredEvent[] = entries.map(([entry, fields]) => {
      const seq = seqOfEntry(entry);
      return { id: formatEventId(epoch, seq), seq, json: fields[1] ?? "null" };
    });
    const last = formatEventId(epoch, current);
    if (since === undefined) return { events: [], recovered: true, missed: null, last };
    if (!sinceId || sinceId.epoch !== epoch || sinceId.seq > current) return { events: stored, recovered: false, missed: null, last };
    const events = stored.filter((event) => event.seq > sinceId.seq);
    // Holes anywhere in the range count: trimmed history, internal events, reserved gaps.
    const missed = current - sinceId.seq - events.length;
    return { events, recovered: missed === 0, missed: missed === 0 ? null : missed, last };
  }

  peersAnswering(query: string): readonly string[] {
    return this.state === "ready" ? this.#registry.answering(query) : [];
  }

  askPeers(query: string, data: unknown, instances: readonly string[], timeoutMs: number, source: Source): Promise<PeerAnswer[]> {
    return this.#peers.ask(query, data, instances, timeoutMs, source);
  }

  shareTrace(record: TraceRecord): void {
    if (this.#commands.status !== "ready") return;
    let body: string;
    try {
      body = JSON.stringify({ ...record, instance: this.#options.instance });
    } catch {
      return;
    }
    this.#commands.publish(this.#keys.traceChannel, body).catch(() => {});
  }

  sharePresence(name: string, change: PresenceChange, member: PresenceMember): void {
    this.#presence.share(name, change, member);
  }

  remotePresence(name: string): readonly PresenceMember[] {
    return this.#presence.members(name);
  }

  instances(): InstanceInfo[] {
    return this.#host ? this.#registry.all(this.#host) : [];
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#releaseOwnTurns();
    this.#peers.close();
    if (this.#commands.status === "ready") await this.#registry.stop();
    this.#commands.disconnect();
    this.#subscriber.disconnect();
  }

  // ── connection changes ───────────────────────────────────────────────────

  async #onReady(): Promise<void> {
    if (!this.#connected() || this.#closed) return;
    const { busChannel, traceChannel, presenceChannel, requestChannel, replyChannel } = this.#keys;
    try {
      // A URL may name a replica or a cluster node (or one may become so): stay degraded, say why.
      this.#refusal = await unsuitableServer(this.#commands);
      if (this.#refusal) {
        this.#options.logger.error({ redis: describeTarget(this.#options.target) }, `Redis ${this.#refusal}: this instance stays alone until it is fixed`);
        return;
      }
      if (!this.#joined) await this.#takePlace();
      await this.#subscriber.subscribe(busChannel, traceChannel, presenceChannel, requestChannel(this.#options.instance), replyChannel(this.#options.instance));
      await this.#catchUp();
      await this.#announceUnshared();
      this.#listening = this.#connected();
      if (this.#host) await this.#registry.refresh(this.#host);
      await this.#presence.resync(this.#registry.liveIds());
    } catch (error) {
      this.#options.logger.warn({ err: error }, "Rejoining the cluster through Redis failed; retrying on the next reconnect");
      return;
    }
    if (this.#down) this.#options.logger.info({ redis: describeTarget(this.#options.target) }, "Redis is back: sharing events with the cluster again");
    this.#down = false;
    this.#wasReady = true;
  }

  #onLost(): void {
    this.#listening = false;
    if (this.#closed || !this.#wasReady || this.#down) return;
    this.#down = true;
    this.#options.logger.warn({ redis: describeTarget(this.#options.target) }, "Redis is lost: delivering on this instance only until it is back");
  }

  /**
   * Before its first subscription, this instance notes where every name stands: what came before
   * is not owed to anyone here, and whatever comes after, it will hear or fetch.
   */
  async #takePlace(): Promise<void> {
    await this.#syncEpoch();
    for (const [name, current] of await this.#standing()) this.#lastSeen.set(name, Math.max(this.#lastSeen.get(name) ?? 0, current));
    this.#joined = true;
  }

  /** After a (re)connect: fetch from the streams what was published while this instance was not listening. */
  async #catchUp(): Promise<void> {
    await this.#syncEpoch();
    for (const [name, current] of await this.#standing()) {
      const last = this.#lastSeen.get(name) ?? 0;
      if (current > last) this.#fetchBefore(name, last, current + 1);
    }
  }

  /** Reads the cluster's epoch (creating it on an empty Redis) and adopts it. */
  async #syncEpoch(): Promise<void> {
    this.#adoptEpoch(await this.#commands.wfEpoch(this.#keys.epoch, freshEpoch()));
  }

  /** Every name of the current history with its newest sequence number. */
  async #standing(): Promise<[string, number][]> {
    const names = await this.#commands.smembers(this.#keys.names);
    if (names.length === 0) return [];
    const counters = await this.#commands.mget(names.map((name) => this.#keys.seq(name)));
    return names.map((name, index) => [name, Number(counters[index] ?? 0)]);
  }

  /** Events this instance triggered while alone never reached the others: reserve their numbers, as a gap. */
  async #announceUnshared(): Promise<void> {
    for (const [name, missed] of this.#unshared) {
      const id = await this.#commands.wfReserve(this.#keys.epoch, this.#keys.seq(name), this.#keys.names, missed, this.#keys.busChannel, this.#options.instance, name, freshEpoch());
      this.#unshared.delete(name);
      const parsed = parseEventId(id);
      if (parsed) this.#adoptEpoch(parsed.epoch);
    }
  }

  // ── messages ─────────────────────────────────────────────────────────────

  #onMessage(channel: string, message: string): void {
    const host = this.#host;
    if (!host) return;
    if (channel === this.#keys.busChannel) return this.#onBusMessage(message, host);
    if (channel === this.#keys.traceChannel) {
      try {
        const record = JSON.parse(message) as TraceRecord & { instance: string };
        if (record.instance !== this.#options.instance) host.traceFromPeer(record);
      } catch {
        // a newer version's trace: skip it
      }
      return;
    }
    if (channel === this.#keys.presenceChannel) return this.#presence.onMessage(message);
    if (channel === this.#keys.requestChannel(this.#options.instance)) return void this.#peers.onRequest(message, host);
    if (channel === this.#keys.replyChannel(this.#options.instance)) this.#peers.onReply(message);
  }

  #onBusMessage(text: string, host: AdapterHost): void {
    const message = decodeBusMessage(text);
    if (!message) return;
    const id = parseEventId(message.id);
    if (!id) return;
    this.#adoptEpoch(id.epoch);
    const { name } = message;
    const first = message.type === "gap" ? id.seq - message.missed + 1 : id.seq;
    const last = this.#lastSeen.get(name) ?? 0;
    // Messages were missed (this subscriber reconnected, or Redis started a new history): fetch them first, keep the order.
    if (first > last + 1) this.#fetchBefore(name, last, first);
    this.#lastSeen.set(name, Math.max(id.seq, last));
    const fetched = this.#fetchedUpTo.get(name) ?? 0;
    if (id.seq <= fetched) return; // a fetch from the stream has already accounted for it
    // Our own event: delivered when its id came, or waiting for this, its turn.
    if (message.origin === this.#options.instance) return this.#ownMessage(name, id.seq);
    if (message.type === "gap") {
      const missed = id.seq - Math.max(first - 1, fetched);
      this.#inOrder(name, () => host.reportGap(name, missed));
      return;
    }
    this.#inOrder(name, () => host.deliverRemote(name, message.id, message.json, message.internal));
  }

  /** Schedules, in order, the delivery of what the stream holds of `name` in (after, before). */
  #fetchBefore(name: string, after: number, before: number): void {
    this.#lastSeen.set(name, Math.max(before - 1, this.#lastSeen.get(name) ?? 0));
    this.#fetchedUpTo.set(name, Math.max(before - 1, this.#fetchedUpTo.get(name) ?? 0));
    this.#inOrder(name, () => this.#fetchMissed(name, after, before - 1));
  }

  /** Delivers stream entries with seq in (after, upTo]; what the stream no longer has becomes a gap. */
  async #fetchMissed(name: string, after: number, upTo: number): Promise<void> {
    const host = this.#host;
    if (!host || upTo <= after) return;
    let entries: [string, string[]][] = [];
    try {
      entries = await this.#commands.xrange(this.#keys.stream(name), `0-${after + 1}`, `0-${upTo}`);
    } catch (error) {
      this.#options.logger.warn({ event: name, err: error }, `Could not fetch missed "${name}" events from Redis`);
    }
    const own = this.#ownRecent.get(name);
    const inStream = new Set<number>();
    for (const [entry, fields] of entries) {
      const seq = seqOfEntry(entry);
      inStream.add(seq);
      if (own?.has(seq)) this.#ownTurns.get(name)?.get(seq)?.release();
      else host.deliverRemote(name, formatEventId(this.epoch, seq), fields[1] ?? "null", false);
    }
    // This instance's own events were delivered here when triggered, stored or not (internal ones are not).
    let ownElsewhere = 0;
    for (const seq of own ?? []) if (seq > after && seq <= upTo && !inStream.has(seq)) ownElsewhere++;
    const missing = upTo - after - entries.length - ownElsewhere;
    if (missing > 0) host.reportGap(name, missing);
  }

  /** Our own event's message came: its turn in the name's order is now. */
  #ownMessage(name: string, seq: number): void {
    const turn = this.#ownTurns.get(name)?.get(seq);
    // Its id came already and found everything before it heard: it was delivered then.
    if (!turn && this.#ownRecent.get(name)?.has(seq)) return;
    // Its delivery runs here, in order, once its id has come (now, or when it does).
    const due = turn ?? this.#turnOf(name, seq);
    this.#inOrder(name, () => due.due());
  }

  #turnOf(name: string, seq: number): OwnTurn {
    let turns = this.#ownTurns.get(name);
    if (!turns) this.#ownTurns.set(name, (turns = new Map()));
    let turn = turns.get(seq);
    if (!turn) {
      turn = new OwnTurn(() => {
        turns.delete(seq);
        if (turns.size === 0 && this.#ownTurns.get(name) === turns) this.#ownTurns.delete(name);
      });
      turns.set(seq, turn);
    }
    return turn;
  }

  /** Ends every own event's wait (a new history, or closing): late, but never lost. */
  #releaseOwnTurns(): void {
    for (const turns of [...this.#ownTurns.values()]) for (const turn of [...turns.values()]) turn.release();
  }

  /**
   * Runs deliveries of one name one after another: a fetch of missed events must land before the
   * live events that follow it. Without a fetch pending, a delivery runs at once.
   */
  #inOrder(name: string, step: () => void | Promise<void>): void | Promise<void> {
    const pending = this.#chains.get(name);
    if (!pending) {
      const result = step();
      if (!(result instanceof Promise)) return;
      const chain = result.finally(() => {
        if (this.#chains.get(name) === chain) this.#chains.delete(name);
      });
      this.#chains.set(name, chain);
      return chain;
    }
    const chain = pending.then(step).finally(() => {
      if (this.#chains.get(name) === chain) this.#chains.delete(name);
    });
    this.#chains.set(name, chain);
    return chain;
  }

  /**
   * Switches to `epoch` when it is a history this instance has not seen yet. On first contact that is simply the cluster's; later
   * it means Redis lost its data or its primary, and everything in the new history was published while this
   * instance was away from it: with `#lastSeen` empty, a joined instance fetches it all from 0.
   * What the old history held after the last event heard here (acknowledged by a primary that
   * died before replicating it, or published while this instance was not subscribed) is gone,
   * in an amount no one can count: every subscriber here is told, as a gap of unknown size.
   */
  #adoptEpoch(epoch: string): void {
    if (epoch === this.#epoch) return;
    const replaced = this.#epoch !== undefined;
    if (replaced) {
      this.#options.logger.warn({ from: this.#epoch, to: epoch }, "Redis started a new history (its data or its primary was lost): ids before it cannot be replayed");
    }
    this.#epoch = epoch;
    if (replaced) this.#host?.reportHistoryLost();
    this.#releaseOwnTurns();
    this.#lastSeen.clear();
    this.#fetchedUpTo.clear();
    this.#ownRecent.clear();
  }

  #rememberOwn(name: string, id: string): void {
    const parsed = parseEventId(id);
    if (!parsed) return;
    this.#adoptEpoch(parsed.epoch);
    let own = this.#ownRecent.get(name);
    if (!own) this.#ownRecent.set(name, (own = new Set()));
    own.add(parsed.seq);
    if (own.size > OWN_RECENT) own.delete(own.values().next().value!);
  }

  #sinceLocally(name: string, since: string | undefined): ReplayFrom {
    return this.#fallback.since(name, since);
  }
}

const TIMED_OUT = Symbol("timed out");

function delay(ms: number): Promise<typeof TIMED_OUT> {
  return new Promise((resolve) => setTimeout(() => resolve(TIMED_OUT), ms).unref());
}

/** How long an own event's id and its message wait for each other before it is delivered anyway. */
const OWN_ORDER_WAIT_MS = 2_000;

/**
 * One own event whose id (from the publish) and message (from pub/sub) wait for each other: its
 * delivery (`give`) and its place in the name's order (`due`) meet, and whichever comes second
 * runs it. A timer ends the wait for the other.
 */
class OwnTurn {
  state: "waiting" | "done" = "waiting";
  #deliver: (() => void) | undefined;
  #isDue = false;
  #settled: Promise<void>;
  #settle!: () => void;
  #timer: NodeJS.Timeout;

  constructor(private readonly forget: () => void) {
    this.#settled = new Promise((resolve) => (this.#settle = resolve));
    this.#timer = setTimeout(() => this.release(), OWN_ORDER_WAIT_MS);
    this.#timer.unref();
  }

  /** The event's delivery (its id came): runs when it is due; resolves once it ran. */
  give(deliver: () => void): Promise<void> {
    this.#deliver = deliver;
    if (this.#isDue) this.#run();
    return this.#settled;
  }

  /** Its place in the name's order came: runs it if its delivery is here; resolves once it ran. */
  due(): Promise<void> {
    this.#isDue = true;
    if (this.#deliver) this.#run();
    return this.#settled;
  }

  /** Ends the wait, whatever came: the delivery runs if it is here. */
  release(): void {
    if (this.#deliver && this.state === "waiting") return this.#run();
    this.end();
  }

  end(): void {
    if (this.state === "done") return;
    this.state = "done";
    clearTimeout(this.#timer);
    this.forget();
    this.#settle();
  }

  #run(): void {
    if (this.state !== "waiting") return;
    try {
      this.#deliver!();
    } finally {
      this.end();
    }
  }
}

/** Redis could not be reached at startup (and EVENTS_REDIS_STARTUP is `require`). */
export class RedisUnavailableError extends Error {
  override readonly name = "RedisUnavailableError";
}

/**
 * A new epoch name, proposed on every write: Redis keeps the first and ignores the rest, so a
 * Redis that lost its data starts a history no old id can be mistaken for.
 */
function freshEpoch(): string {
  return `r${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, "0")}`;
}

