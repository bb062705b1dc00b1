/**
 * The chaos run's clients: Node EventManagers over `ws`, as an app would use them.
 * - Reader: subscribed to one public event; records every id its handler got, every gap, every
 *   state change, and (through a tap on its socket, since the client reports `recovered` only for
 *   the first subscribe) every resubscribe's `recovered`/`last` and the events replayed after it.
 *   The ids, gaps and subscribe answers also go into one log in the order the socket delivered
 *   them, which is what verdict.ts judges.
 * - Triggerer: protocol `trigger` ops at a steady rate, each acked id recorded with its time.
 * - Requester: requests kept in flight, each outcome recorded by error code with its time.
 * Every manager gets its own URL (a query string the server ignores): the client shares one
 * socket per URL, and each of these must be its own connection.
 */
import { WebSocket } from "ws";
import { splitId } from "./wire-client";
import { EventManager, type ConnectionState, type StateDetail } from "../lib/events/client";
import { EVENTS_PATH } from "../lib/events/protocol";
import { createMonitorToken } from "../lib/events/server/monitor-token";
import type { Acked, ReaderEntry, SeenGap } from "./verdict";

let unique = 0;

/** A certificate the clients trust for wss:// besides the system's (the rolling scenario's self-signed one). */
let extraCa: string | undefined;

/** Makes every client made from now on trust `pem` (a self-signed certificate made for a run). */
export function trustCertificate(pem: string): void {
  extraCa = pem;
}

/** An error's code, with "timeout" split by whether the op ever left the client. */
function outcomeOf(error: unknown): string {
  const code = String((error as { code?: unknown }).code ?? "error");
  if (code !== "timeout") return code;
  return /no connection to the server/.test(String((error as { message?: unknown }).message)) ? "timeout (never sent: no connection)" : "timeout (sent, no answer)";
}

function managerFor(baseUrl: string, label: string, tap?: (text: string) => void): EventManager {
  const url = `${baseUrl.replace(/^http/, "ws")}${EVENTS_PATH}?client=${encodeURIComponent(label)}-${++unique}`;
  return new EventManager({
    url,
    requestTimeout: 10_000,
    createSocket: (socketUrl, protocols) => {
      const socket = new WebSocket(socketUrl, protocols, { perMessageDeflate: false, ...(extraCa ? { ca: extraCa } : {}) });
      if (tap) socket.on("message", (data: Buffer, isBinary: boolean) => !isBinary && tap(data.toString()));
      return socket;
    },
  });
}

export interface StateChange {
  at: number;
  state: ConnectionState;
  reason: string;
  closeCode?: number;
  instance?: string;
}

export interface Resubscribe {
  at: number;
  recovered: boolean;
  last: string;
}

export class Reader {
  readonly label: string;
  readonly group: string;
  readonly manager: EventManager;
  readonly received = new Set<string>();
  readonly gaps: SeenGap[] = [];
  readonly states: StateChange[] = [];
  readonly resubscribes: Resubscribe[] = [];
  /** Subscribe answers, event ids and gaps in arrival order (the tap runs before the client reads each frame). */
  readonly log: ReaderEntry[] = [];
  /** Event frames on the wire (duplicates included). */
  wireEvents = 0;
  /** Event frames that came as a replay: after a resubscribe's `ok`, with an id up to its `last`. */
  replayed = 0;
  #replayUpTo: { epoch: string; seq: number } | undefined;

  constructor(baseUrl: string, readonly event: string, group: string, label: string) {
    this.group = group;
    this.label = label;
    this.manager = managerFor(baseUrl, label, (text) => this.#tap(text));
    this.manager.registerHandler(event, (_data, { id }) => {
      this.received.add(id);
      this.log.push({ kind: "event", at: Date.now(), id });
    });
    this.manager.onGap((gap) => {
      const seen: SeenGap = { missed: gap.missed, reason: gap.reason, at: Date.now() };
      this.gaps.push(seen);
      this.log.push({ kind: "gap", ...seen });
    });
    this.manager.onStateChange((state: ConnectionState, detail: StateDetail) => {
      const change: StateChange = { at: Date.now(), state, reason: detail.reason };
      if (detail.closeCode !== undefined) change.closeCode = detail.closeCode;
      if (detail.instance !== undefined) change.instance = detail.instance;
      this.states.push(change);
    });
  }

  subscribe(): Promise<unknown> {
    return this.manager.subscribe(this.event);
  }

  /** Connected now, with its subscription back in place? */
  get connected(): boolean {
    return this.manager.state === "connected";
  }

  close(): void {
    this.manager.close();
  }

  #tap(text: string): void {
    if (text.startsWith('{"type":"event"')) {
      this.wireEvents++;
      const match = /"id":"([^"]+)"/.exec(text);
      if (match && this.#replayUpTo) {
        const { epoch, seq } = splitId(match[1]!);
        if (epoch === this.#replayUpTo.epoch && seq <= this.#replayUpTo.seq) this.replayed++;
      }
      return;
    }
    if (text.startsWith('{"type":"welcome"')) {
      this.#replayUpTo = undefined;
      return;
    }
    // Only a subscribe's `ok` carries `last` (the reader sends nothing else that is answered with it).
    if (!text.startsWith('{"type":"ok"') || !text.includes('"last"')) return;
    const frame = JSON.parse(text) as { recovered?: boolean; last?: string };
    if (typeof frame.last !== "string") return;
    const at = Date.now();
    this.log.push({ kind: "subscribed", at, last: frame.last, ...(typeof frame.recovered === "boolean" ? { recovered: frame.recovered } : {}) });
    if (typeof frame.recovered !== "boolean") return;
    this.resubscribes.push({ at, recovered: frame.recovered, last: frame.last });
    this.#replayUpTo = splitId(frame.last);
  }
}

export class Triggerer {
  readonly manager: EventManager;
  readonly acked: Acked[] = [];
  readonly failures: Record<string, number> = {};
  readonly failureTimes: { at: number; code: string }[] = [];
  sent = 0;
  #running = false;
  #loop: Promise<void> | undefined;
  #inFlight = new Set<Promise<void>>();

  /**
   * `monitorSecret`: the triggerer stands for the app's server side, and pages may not trigger the
   * demo's events (their authorize hooks), so it triggers from a monitor session.
   */
  constructor(baseUrl: string, readonly event: string, readonly perSecond: number, readonly label: string, readonly monitorSecret: string) {
    this.manager = managerFor(baseUrl, label);
  }

  start(): void {
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Stops sending; waits (bounded) for the answers of what was sent. */
  async stop(waitMs = 15_000): Promise<void> {
    this.#running = false;
    await this.#loop;
    await Promise.race([Promise.allSettled([...this.#inFlight]), new Promise((resolve) => setTimeout(resolve, waitMs))]);
  }

  close(): void {
    this.manager.close();
  }

  async #run(): Promise<void> {
    // A fresh token on every reconnect: the client calls the function again.
    await this.manager.monitor(() => createMonitorToken(this.monitorSecret), () => {});
    const started = performance.now();
    let n = 0;
    while (this.#running) {
      const due = Math.floor((this.perSecond * (performance.now() - started)) / 1_000);
      while (n < due) {
        n++;
        this.sent++;
        const data = this.event === "model:created" ? { id: n, value: `${this.label} ${n}` } : { message: `${this.label} ${n}` };
        const answer = this.manager.trigger(this.event as never, data as never).then(
          (ok) => void this.acked.push({ id: ok.id, at: Date.now() }),
          (error: unknown) => {
            const code = outcomeOf(error);
            this.failures[code] = (this.failures[code] ?? 0) + 1;
            this.failureTimes.push({ at: Date.now(), code });
          },
        );
        this.#inFlight.add(answer);
        void answer.finally(() => this.#inFlight.delete(answer));
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

export interface RequestPlan {
  query: string;
  /** When set, the connection becomes a monitor session (with a token signed by this secret) to ask an internal query. */
  monitorSecret?: string;
}

export class Requester {
  readonly manager: EventManager;
  readonly query: string;
  readonly outcomes: { at: number; sentAt: number; outcome: string }[] = [];
  #running = false;
  #loops: Promise<void>[] = [];

  constructor(baseUrl: string, readonly plan: RequestPlan, readonly slots: number, readonly label: string, readonly timeoutMs = 5_000) {
    this.manager = managerFor(baseUrl, label);
    this.query = plan.query;
  }

  start(): void {
    this.#running = true;
    this.#loops.push(this.#begin());
  }

  async #begin(): Promise<void> {
    const secret = this.plan.monitorSecret;
    // A fresh token on every reconnect: the client calls the function again.
    if (secret) await this.manager.monitor(() => createMonitorToken(secret), () => {});
    await Promise.all(Array.from({ length: this.slots }, () => this.#run()));
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.race([Promise.all(this.#loops), new Promise((resolve) => setTimeout(resolve, this.timeoutMs + 3_000))]);
  }

  close(): void {
    this.manager.close();
  }

  /** Outcomes counted by "ok" or error code, optionally only those sent in [from, to). */
  counts(from = -Infinity, to = Infinity): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const outcome of this.outcomes) if (outcome.sentAt >= from && outcome.sentAt < to) counts[outcome.outcome] = (counts[outcome.outcome] ?? 0) + 1;
    return counts;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const sentAt = Date.now();
      let outcome = "ok";
      try {
        await this.manager.request(this.query as never, undefined as never, { timeout: this.timeoutMs });
      } catch (error) {
        outcome = outcomeOf(error);
      }
      this.outcomes.push({ at: Date.now(), sentAt, outcome });
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 30));
    }
  }
}
