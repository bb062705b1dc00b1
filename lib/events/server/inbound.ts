import type { RawData } from "ws";
import { CloseCode } from "../protocol/close-codes";
import type { ClientOp, ServerFrame } from "../protocol/frames";
import { parseClientOp } from "../protocol/parse-op";
import type { TransportCounters } from "./counters";
import type { TokenBucket } from "./rate-limiter";

/** Bad frames tolerated within BAD_FRAME_WINDOW_MS before the connection is closed with 4000. */
export const MAX_BAD_FRAMES = 10;
export const BAD_FRAME_WINDOW_MS = 60_000;
/** Ops refused with `rate_limited` in a row before the connection is closed with 4029. */
export const MAX_RATE_STRIKES = 20;

export interface InboundLimits {
  /** Ops per second of this connection (EVENTS_RATE_LIMIT). */
  rateLimit: number;
  /** Ops per second of its address, across its connections (EVENTS_RATE_LIMIT_PER_IP). */
  rateLimitPerIp: number;
}

/** What the inbound policy needs of its connection. */
export interface InboundPort {
  readonly monitor: boolean;
  send(frame: ServerFrame): void;
  close(code: number, reason: string): void;
}

/**
 * What one connection may send: every frame is parsed, counted against the connection's and its
 * address's rate limits (a refused op still gets its `rate_limited` reply, with its ref), and an
 * unreadable one is answered `bad_request`. Persistent offenders are closed: 4029 after
 * MAX_RATE_STRIKES refusals in a row, 4000 past MAX_BAD_FRAMES in BAD_FRAME_WINDOW_MS.
 */
export class Inbound {
  #rateStrikes = 0;
  #badFrames = 0;
  #badFramesSince = 0;

  constructor(
    private readonly connection: InboundPort,
    private readonly limiter: TokenBucket,
    private readonly addressLimiter: TokenBucket,
    private readonly limits: InboundLimits,
    private readonly counters: TransportCounters,
  ) {}

  /** A frame arrived: the op to run, or undefined when it was refused (and answered). */
  receive(data: RawData, isBinary: boolean): ClientOp | undefined {
    const parsed = isBinary ? undefined : parseClientOp(rawText(data));
    const overLimit = this.#overLimit();
    if (overLimit) {
      const ref = parsed === undefined ? null : parsed.ok ? parsed.op.ref : parsed.ref;
      this.counters.rateLimited++;
      this.connection.send({ type: "error", ref, code: "rate_limited", message: overLimit });
      if (++this.#rateStrikes > MAX_RATE_STRIKES) this.connection.close(CloseCode.RateLimited, "rate limit exceeded");
      return undefined;
    }
    this.#rateStrikes = 0;
    if (parsed === undefined) return this.#badFrame(null, "Binary frames are not part of protocol v1: send JSON text");
    if (!parsed.ok) return this.#badFrame(parsed.ref, parsed.message);
    return parsed.op;
  }

  #overLimit(): string | undefined {
    if (!this.limiter.take()) return `Too many ops: at most ${this.limits.rateLimit} per second per connection`;
    // The dashboard is trusted, and must not spend the budget of its developer's own pages.
    if (!this.connection.monitor && !this.addressLimiter.take()) {
      return `Too many ops from your address: at most ${this.limits.rateLimitPerIp} per second across its connections`;
    }
    return undefined;
  }

  #badFrame(ref: string | number | null, message: string): undefined {
    this.counters.badFrames++;
    this.connection.send({ type: "error", ref, code: "bad_request", message });
    const now = Date.now();
    if (now - this.#badFramesSince > BAD_FRAME_WINDOW_MS) {
      this.#badFrames = 0;
      this.#badFramesSince = now;
    }
    if (++this.#badFrames > MAX_BAD_FRAMES) this.connection.close(CloseCode.ProtocolAbuse, "too many unreadable frames");
    return undefined;
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}
