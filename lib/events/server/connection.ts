import type { Socket } from "node:net";
import type { RawData, WebSocket } from "ws";
import { RingBuffer } from "../core/bounded-queue";
import type { ConnectionInfo } from "../core/declarations";
import type { PresenceMember } from "../core/presence";
import type { TransportOverflow } from "../config/keys";
import { CloseCode } from "../protocol/close-codes";
import { isNewerEventId } from "../protocol/event-id";
import type { ClientOp, ServerFrame } from "../protocol/frames";
import type { TransportCounters } from "./counters";
import { Inbound, type InboundLimits } from "./inbound";
import { RecentRate } from "./recent-rate";
import type { TokenBucket } from "./rate-limiter";
import type { WriteBatch } from "./write-batch";

/**
 * Bytes a socket may hold unsent before new events wait in the connection's queue instead.
 * Also the most one turn's batch may grow before it is written out.
 */
export const SEND_HIGH_WATER_MARK = 64 * 1024;

/** The most a connection's unread replies may hold before it is closed with 4008. */
export const REPLY_BUFFER_LIMIT = 16 * SEND_HIGH_WATER_MARK;

/** The queue name of trace records, in `gap` frames to monitors. */
export const TRACE_CHANNEL = "*";

const TEXT_FRAME = Object.freeze({ binary: false, compress: false, fin: true });

/** Live events one subscribe may hold back while its replay is fetched; beyond, they count as missed. */
const MAX_HELD = 1_000;

/** How long a slow consumer closed with 4008 gets to read its close frame before the socket is destroyed. */
const SLOW_CLOSE_GRACE_MS = 2_000;

interface Queued {
  channel: string;
  frame: Buffer;
  /** Records the frame carries (a `traces` frame carries many): what a drop counts as missed. */
  weight: number;
}

export interface ConnectionOptions {
  queueSize: number;
  overflow: TransportOverflow;
  batch: WriteBatch;
  /** Ops of this connection. */
  limiter: TokenBucket;
  /** Shared by every connection from the same client address. */
  addressLimiter: TokenBucket;
  limits: InboundLimits;
  counters: TransportCounters;
  onOverflowDisconnect: (connection: Connection) => void;
  /** Who it is, for presence; anonymous when not given. */
  member?: Promise<PresenceMember>;
}

/** A connection as the dashboard and tests see it. */
export interface ConnectionStatus {
  id: string;
  origin: string | undefined;
  address: string | undefined;
  userAgent: string | undefined;
  connectedAt: number;
  monitor: boolean;
  /** Events waiting in its send queue. */
  queued: number;
  /** Bytes its socket has not sent yet. */
  buffered: number;
  /** Events it did not get because it read too slowly. */
  dropped: number;
  /** `gap` frames it was sent (overflow and history). */
  gapsSent: number;
  /** Frames it sent per second, over the last ten seconds. */
  opsPerSecond: number;
}

/**
 * One browser (or Node) client. Owns its inbound policy (see inbound.ts) and its outgoing path:
 * events are written at once while the socket keeps up, wait in a queue of at most `queueSize`
 * while it does not, and beyond that follow the overflow policy. Replies (`ok`, `error`) are
 * never dropped: ops are rate-limited, so they stay small.
 */
export class Connection {
  readonly id: string;
  readonly ws: WebSocket;
  readonly info: ConnectionInfo;
  readonly connectedAt = Date.now();
  /** Who it is, for presence: what the app's identify hook said (see identify.ts). */
  readonly member: Promise<PresenceMember>;
  #monitor = false;
  #missedPongs = 0;
  #inbound: Inbound;
  /** The last subscribe/unsubscribe per name: ops on one name apply in the order they were sent. */
  #nameChains = new Map<string, Promise<void>>();
  #dropped = 0;
  #gapsSent = 0;
  #ops = new RecentRate();
  #socket: Socket;
  #queue: RingBuffer<Queued>;
  #missed = new Map<string, number>();
  #options: ConnectionOptions;
  #closing = false;
  /** Live events held back while a subscribe fetches its replay, by name. */
  #held = new Map<string, { id: string; frame: Buffer }[]>();

  constructor(id: string, ws: WebSocket, info: ConnectionInfo, options: ConnectionOptions) {
    this.id = id;
    this.ws = ws;
    this.info = info;
    this.#options = options;
    this.member = options.member ?? Promise.resolve({ connection: id });
    this.#inbound = new Inbound(this, options.limiter, options.addressLimiter, options.limits, options.counters);
    this.#queue = new RingBuffer<Queued>(options.queueSize);
    // ws keeps the net.Socket on a private field; it is the only way to cork and to see drain.
    this.#socket = (ws as unknown as { _socket: Socket })._socket;
    this.#socket.on("drain", () => this.#flushQueue());
  }

  get open(): boolean {
    return !this.#closing && this.ws.readyState === this.ws.OPEN;
  }

  /** Whether a monitor token made this a monitor session (until its token expires: then it is closed). */
  get monitor(): boolean {
    return this.#monitor;
  }

  grantMonitor(): void {
    this.#monitor = true;
  }

  /** Events waiting for the socket to drain. */
  get queued(): number {
    return this.#queue.size;
  }

  /** Events dropped on this connection because it read too slowly. */
  get dropped(): number {
    return this.#dropped;
  }

  status(): ConnectionStatus {
    const userAgent = this.info.headers["user-agent"];
    return {
      id: this.id,
      origin: this.info.origin,
      address: this.info.remoteAddress,
      userAgent: Array.isArray(userAgent) ? userAgent.join(", ") : userAgent,
      connectedAt: this.connectedAt,
      monitor: this.#monitor,
      queued: this.#queue.size,
      buffered: this.#socket.writableLength,
      dropped: this.#dropped,
      gapsSent: this.#gapsSent,
      opsPerSecond: this.#ops.perSecond(),
    };
  }

  /** A frame arrived: the op to run, or undefined when the inbound policy refused it (and answered). */
  receive(data: RawData, isBinary: boolean): ClientOp | undefined {
    this.#missedPongs = 0;
    this.#ops.note();
    return this.#inbound.receive(data, isBinary);
  }

  /** A pong (or any frame) arrived: the peer is alive. */
  heard(): void {
    this.#missedPongs = 0;
  }

  /** The heartbeat: false when two pings went unanswered (terminate it), else pings once more. */
  beat(): boolean {
    if (this.#missedPongs >= 2) return false;
    this.#missedPongs++;
    this.ws.ping();
    return true;
  }

  /**
   * Runs `op` after the earlier ops on the same name: a subscribe may wait for an authorize
   * hook, and an unsubscribe sent right after it must not overtake it (a component that mounts
   * and unmounts at once would stay subscribed). Other ops stay concurrent.
   */
  inOrder(name: string, op: () => Promise<void>): Promise<void> {
    const previous = this.#nameChains.get(name);
    const running = previous ? previous.then(op) : op();
    this.#nameChains.set(name, running);
    void running.finally(() => {
      if (this.#nameChains.get(name) === running) this.#nameChains.delete(name);
    });
    return running;
  }

  /** Sends a reply or notice: never dropped, but bounded (see `reply`). */
  send(frame: ServerFrame): void {
    if (frame.type === "gap") this.#gapsSent++;
    this.reply(Buffer.from(JSON.stringify(frame)));
  }

  /**
   * Writes a reply. Replies are not queued or dropped (each answers an op the client is waiting
   * for), but a client that keeps sending ops without reading the replies would grow the buffer
   * without end: past REPLY_BUFFER_LIMIT it is closed as a slow consumer.
   */
  reply(frame: Buffer): void {
    if (!this.open) return;
    if (this.#socket.writableLength + frame.length > REPLY_BUFFER_LIMIT) {
      this.#options.onOverflowDisconnect(this);
      this.close(CloseCode.SlowConsumer, "slow consumer: replies are not being read", SLOW_CLOSE_GRACE_MS);
      return;
    }
    this.write(frame);
  }

  /** Writes an already-serialised frame, batched with this turn's other writes. */
  write(frame: Buffer): void {
    if (!this.open) return;
    this.#options.batch.hold(this.#socket);
    this.ws.send(frame, TEXT_FRAME);
    if (this.#socket.writableLength >= SEND_HIGH_WATER_MARK) this.#options.batch.release(this.#socket);
  }

  /**
   * Delivers an event (or trace) frame shared by every receiver. Returns false when the
   * overflow policy dropped it.
   */
  deliver(channel: string, frame: Buffer, id?: string, weight = 1): boolean {
    if (!this.open) return false;
    const held = this.#held.get(channel);
    if (held) {
      if (held.length < MAX_HELD) {
        held.push({ id: id ?? "", frame });
        return true;
      }
      this.#options.counters.drops.held++;
      this.#countMissed(channel);
      return false;
    }
    if (this.#queue.size === 0 && !this.#overHighWater()) {
      this.write(frame);
      return true;
    }
    if (!this.#queue.full) {
      this.#queue.push({ channel, frame, weight });
      return true;
    }
    this.#dropped += weight;
    this.#options.counters.drops[this.#options.overflow] += weight;
    switch (this.#options.overflow) {
      case "drop-oldest": {
        const evicted = this.#queue.shift()!;
        this.#countMissed(evicted.channel, evicted.weight);
        this.#queue.push({ channel, frame, weight });
        return true;
      }
      case "drop-newest":
        this.#countMissed(channel, weight);
        return false;
      case "disconnect":
        this.#options.onOverflowDisconnect(this);
        this.close(CloseCode.SlowConsumer, "slow consumer: the send queue overflowed", SLOW_CLOSE_GRACE_MS);
        return false;
    }
  }

  /**
   * Holds live events of `name` back while a subscribe fetches what it must replay first
   * (the history may be in Redis: a round trip during which new events can arrive).
   */
  hold(name: string): void {
    if (!this.#held.has(name)) this.#held.set(name, []);
  }

  /**
   * Ends the hold: delivers the held events newer than `replayedUpTo` (the last id the replay
   * wrote, or the `last` the client was told), so nothing is lost and nothing comes twice.
   */
  release(name: string, replayedUpTo: string | undefined): void {
    const held = this.#held.get(name);
    if (!held) return;
    this.#held.delete(name);
    for (const event of held) if (isNewerEventId(event.id, replayedUpTo)) this.deliver(name, event.frame, event.id);
    if (this.#missed.size > 0 && this.#queue.size === 0) this.#sendGaps();
  }

  /** Ends a hold and drops what it held (a pattern's name the authorize hook refused). */
  discard(name: string): void {
    this.#held.delete(name);
  }

  /** Whether events of `name` are being held back. */
  holds(name: string): boolean {
    return this.#held.has(name);
  }

  /** Closes with `code`; a peer that does not complete the closing handshake within `graceMs` is cut off. */
  close(code: number, reason: string, graceMs = 5_000): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#queue.clear();
    this.#options.batch.release(this.#socket);
    this.ws.close(code, reason);
    setTimeout(() => this.ws.terminate(), graceMs).unref();
  }

  #overHighWater(): boolean {
    if (this.#socket.writableLength < SEND_HIGH_WATER_MARK) return false;
    // Part of it may be this turn's own batch: write that out before judging the client slow.
    this.#options.batch.release(this.#socket);
    return this.#socket.writableLength >= SEND_HIGH_WATER_MARK;
  }

  #countMissed(channel: string, weight = 1): void {
    this.#missed.set(channel, (this.#missed.get(channel) ?? 0) + weight);
  }

  /** On drain: gaps for what was dropped, then the queue, in the order the client must see them. */
  #flushQueue(): void {
    if (!this.open) return;
    const gapsFirst = this.#options.overflow === "drop-oldest";
    if (gapsFirst) this.#sendGaps();
    while (this.#queue.size > 0 && this.#socket.writableLength < SEND_HIGH_WATER_MARK) this.write(this.#queue.shift()!.frame);
    if (!gapsFirst && this.#queue.size === 0) this.#sendGaps();
  }

  #sendGaps(): void {
    if (this.#missed.size === 0) return;
    for (const [event, missed] of this.#missed) {
      this.#options.counters.gaps.overflow++;
      this.send({ type: "gap", event, missed, reason: "overflow" });
    }
    this.#missed.clear();
  }
}
