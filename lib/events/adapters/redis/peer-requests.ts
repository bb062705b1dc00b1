import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { AdapterHost, PeerAnswer } from "../../core/adapter";
import type { Settled } from "../../core/bus";
import { describeError, errorFromWire, EventsError, isWireErrorCode, TimeoutError } from "../../shared/errors";
import type { Logger } from "../../core/logger";
import type { HandlerSpan } from "../../core/trace";
import type { Source } from "../../core/types";
import type { Keys } from "./wire";

interface PeerRequest {
  rid: string;
  from: string;
  query: string;
  data: unknown;
  timeoutMs: number;
  source: Source;
}

type WireOutcome = { ok: true; handler: string; value: unknown } | { ok: false; handler: string; code: string; message: string };

interface PeerReply {
  rid: string;
  instance: string;
  outcomes?: WireOutcome[];
  /** The answering instance's handler spans, offsets from when it was asked (older instances send none). */
  spans?: HandlerSpan[];
  error?: { code: string; message: string };
}

interface Waiting {
  instance: string;
  resolve: (answer: PeerAnswer) => void;
  timer: NodeJS.Timeout;
}

/**
 * Requests forwarded between instances over pub/sub: each instance listens on its own request
 * channel and answers on the asker's reply channel. An instance that is not listening (PUBLISH
 * reached nobody) or does not answer in time is reported as such, never waited for forever.
 */
export class PeerRequests {
  #waiting = new Map<string, Waiting>();

  constructor(
    private readonly self: string,
    private readonly keys: Keys,
    private readonly commands: Redis,
    private readonly logger: Logger,
  ) {}

  ask(query: string, data: unknown, instances: readonly string[], timeoutMs: number, source: Source): Promise<PeerAnswer[]> {
    return Promise.all(instances.map((instance) => this.#askOne(instance, query, data, timeoutMs, source)));
  }

  async #askOne(instance: string, query: string, data: unknown, timeoutMs: number, source: Source): Promise<PeerAnswer> {
    const rid = randomBytes(8).toString("base64url");
    const answer = new Promise<PeerAnswer>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(rid);
        resolve({ instance, ok: false, error: new TimeoutError(`Instance ${instance} did not answer "${query}" within ${timeoutMs} ms`) });
      }, timeoutMs);
      this.#waiting.set(rid, { instance, resolve, timer });
    });
    const request: PeerRequest = { rid, from: this.self, query, data, timeoutMs, source };
    try {
      const listeners = await this.commands.publish(this.keys.requestChannel(instance), JSON.stringify(request));
      if (listeners === 0) this.#settle(rid, { instance, ok: false, error: new TimeoutError(`Instance ${instance} is not listening (it left the cluster)`) });
    } catch (error) {
      this.#settle(rid, { instance, ok: false, error: new TimeoutError(`Could not reach instance ${instance}: ${describeError(error)}`) });
    }
    return answer;
  }

  /** A reply on this instance's reply channel. */
  onReply(text: string): void {
    let reply: PeerReply;
    try {
      reply = JSON.parse(text) as PeerReply;
    } catch {
      return this.logger.warn({ text: text.slice(0, 200) }, "Unreadable peer reply");
    }
    if (reply.error) return this.#settle(reply.rid, { instance: reply.instance, ok: false, error: errorFromWire(reply.error.code, reply.error.message) });
    const outcomes = (reply.outcomes ?? []).map(
      (outcome): Settled<unknown> => (outcome.ok ? outcome : { ok: false, handler: outcome.handler, error: errorFromWire(outcome.code, outcome.message) }),
    );
    this.#settle(reply.rid, { instance: reply.instance, ok: true, outcomes, ...(Array.isArray(reply.spans) ? { spans: reply.spans } : {}) });
  }

  /** A request on this instance's request channel: run the local handlers, answer the asker. */
  async onRequest(text: string, host: AdapterHost): Promise<void> {
    let request: PeerRequest;
    try {
      request = JSON.parse(text) as PeerRequest;
    } catch {
      return this.logger.warn({ text: text.slice(0, 200) }, "Unreadable peer request");
    }
    const reply: PeerReply = { rid: request.rid, instance: this.self };
    try {
      const { outcomes, spans } = await host.answerPeer(request.query, request.data, request.timeoutMs, request.source);
      reply.spans = spans;
      reply.outcomes = outcomes.map((outcome) => (outcome.ok ? outcome : { ok: false, handler: outcome.handler, ...wireError(outcome.error) }));
    } catch (error) {
      reply.error = wireError(error);
    }
    let body: string;
    try {
      body = JSON.stringify(reply);
    } catch (error) {
      body = JSON.stringify({ rid: request.rid, instance: this.self, error: { code: "handler_error", message: `The answer cannot travel as JSON: ${describeError(error)}` } });
    }
    await this.commands.publish(this.keys.replyChannel(request.from), body).catch((error: unknown) => {
      this.logger.warn({ query: request.query, err: error }, "Could not send a peer reply");
    });
  }

  close(): void {
    for (const [rid, waiting] of this.#waiting) this.#settle(rid, { instance: waiting.instance, ok: false, error: new TimeoutError("The bus is closing") });
  }

  #settle(rid: string, answer: PeerAnswer): void {
    const waiting = this.#waiting.get(rid);
    if (!waiting) return;
    this.#waiting.delete(rid);
    clearTimeout(waiting.timer);
    waiting.resolve(answer);
  }
}

function wireError(error: unknown): { code: string; message: string } {
  if (error instanceof EventsError && isWireErrorCode(error.code)) return { code: error.code, message: error.message };
  return { code: "handler_error", message: describeError(error) };
}
