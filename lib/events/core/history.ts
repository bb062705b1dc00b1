import { randomBytes } from "node:crypto";
import { formatEventId, parseEventId } from "../protocol/event-id";
import { RingBuffer } from "./bounded-queue";

/** One public event as kept for replay. */
export interface StoredEvent {
  readonly id: string;
  readonly seq: number;
  /** The payload as JSON text, serialised once at trigger time. */
  readonly json: string;
}

/** What a `subscribe` with `since` gets back. */
export interface Replay {
  /** Events after `since`, oldest first. */
  readonly events: readonly StoredEvent[];
  /** True when `events` is everything the client missed. */
  readonly recovered: boolean;
  /** When not recovered: how many events are lost, or null if that cannot be known (another history). */
  readonly missed: number | null;
}

interface Channel {
  seq: number;
  ring: RingBuffer<StoredEvent> | undefined;
}

/**
 * Event ids and the in-memory history of public events. An id is `<epoch>-<seq>`: the epoch is
 * new for every process, so an id from before a restart is recognised as foreign and answered
 * with `recovered: false` instead of silently skipping events.
 */
export class MemoryHistory {
  readonly epoch: string;
  readonly size: number;
  #channels = new Map<string, Channel>();

  constructor(size: number, epoch = randomBytes(4).toString("hex")) {
    this.size = size;
    this.epoch = epoch;
  }

  /** Gives the next id for `name`; keeps the event for replay when `json` is given (public events). */
  append(name: string, json: string | undefined): string {
    const channel = this.#channel(name);
    const seq = ++channel.seq;
    const id = formatEventId(this.epoch, seq);
    if (json !== undefined && channel.ring) {
      if (channel.ring.full) channel.ring.shift();
      channel.ring.push({ id, seq, json });
    }
    return id;
  }

  /** The id of the newest event of `name`; before the first, `<epoch>-0`, the start of this history. */
  lastId(name: string): string {
    return formatEventId(this.epoch, this.#channels.get(name)?.seq ?? 0);
  }

  /** The events of `name` after the one with id `since`. */
  since(name: string, since: string): Replay {
    const channel = this.#channels.get(name);
    const stored = channel?.ring ? [...channel.ring] : [];
    const sinceSeq = this.#parse(since);
    const currentSeq = channel?.seq ?? 0;
    if (sinceSeq === undefined || sinceSeq > currentSeq) {
      return { events: stored, recovered: false, missed: null };
    }
    const events = stored.filter((event) => event.seq > sinceSeq);
    const firstAvailable = events[0]?.seq ?? currentSeq + 1;
    const missed = firstAvailable - sinceSeq - 1;
    return { events, recovered: missed === 0, missed: missed === 0 ? null : missed };
  }

  /** The sequence number of an id of this history; undefined for a foreign or unreadable one. */
  #parse(id: string): number | undefined {
    const parsed = parseEventId(id);
    return parsed?.epoch === this.epoch ? parsed.seq : undefined;
  }

  #channel(name: string): Channel {
    let channel = this.#channels.get(name);
    if (!channel) {
      channel = { seq: 0, ring: this.size > 0 ? new RingBuffer<StoredEvent>(this.size) : undefined };
      this.#channels.set(name, channel);
    }
    return channel;
  }
}
