/**
 * A bare protocol-v1 client for the soak: one `ws` socket, ops matched by ref, and for every
 * subscribed name a ledger of the ids it saw. Ids are `<epoch>-<seq>` with seq contiguous per
 * name, and one connection receives the live events of a name in id order, so a ledger needs no
 * set of ids: the next expected seq, the holes seen, duplicates, and the gaps the server reported.
 */
import { WebSocket } from "ws";
import { EVENTS_PATH, SUBPROTOCOL } from "../lib/events/protocol";

/** What one subscription saw, from its subscribe's `last` to the `last` of the closing re-subscribe. */
export interface Ledger {
  name: string;
  epoch: string;
  /** seq of the subscribe's `last`: the client owes every seq after it. */
  from: number;
  /** seq of the closing re-subscribe's `last` (Infinity until then). */
  until: number;
  /** The next seq expected. */
  next: number;
  received: number;
  /** Seqs in (from, until] that never arrived (skipped over, or still missing at the end). */
  holes: number;
  /** Events that arrived again or out of order. */
  duplicates: number;
  /** Events of another history (there should be none: the soak's server does not restart). */
  foreign: number;
  gaps: number;
  /** Sum of the gaps' `missed`. */
  gapMissed: number;
  /**
   * Holes no gap announced. Under drop-oldest a `gap` frame comes before the queued events that
   * survived, so the events it counts lie between the last event before it and the first after:
   * each hole must be paid for by the gaps received since the previous event of its name.
   */
  unannounced: number;
  /** Gap counts left over after the hole they preceded (or with no hole at all). */
  overAnnounced: number;
  /** Gap counts received since the last event of this name, not yet matched to a hole. */
  credit: number;
  /** Gaps with `missed: null` (unknown). */
  gapUnknown: number;
  /** The last frames of this name, for diagnosing a loss: seqs, and markers such as "gap 3" or "until 74". */
  recent: (number | string)[];
}

export interface Reply {
  type: "ok" | "error";
  ref: number;
  code?: string;
  message?: string;
  [field: string]: unknown;
}

export class WireClient {
  readonly ws: WebSocket;
  readonly ledgers = new Map<string, Ledger>();
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  closeCode: number | undefined;
  /** Frames the server sent that no ledger or op was waiting for. */
  untracked = 0;
  /** Error frames without a ref (a frame the server could not read). */
  refusals: Record<string, number> = {};
  #nextRef = 1;
  /**
   * `onReply` runs as the reply frame is read, before any later frame: `ws` emits the frames of
   * one read synchronously, so a promise continuation would see the events that follow the reply
   * first.
   */
  #pending = new Map<number, { resolve: (reply: Reply) => void; timer: NodeJS.Timeout; onReply?: (reply: Reply) => void }>();
  #waiters = new Set<() => void>();

  constructor(baseUrl: string, options: { onOtherFrame?: (frame: Record<string, unknown>) => void } = {}) {
    this.ws = new WebSocket(`${baseUrl}${EVENTS_PATH}`, [SUBPROTOCOL], { perMessageDeflate: false });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once("message", () => resolve()); // the welcome
      this.ws.once("error", reject);
      this.ws.once("close", () => reject(new Error("closed before the welcome")));
    });
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => {
      this.ws.on("close", (code, reason) => {
        this.closeCode = code;
        for (const [ref, pending] of this.#pending) {
          clearTimeout(pending.timer);
          pending.resolve({ type: "error", ref, code: "disconnected", message: "closed" });
        }
        this.#pending.clear();
        this.#notify();
        resolve({ code, reason: reason.toString() });
      });
    });
    this.ws.on("error", () => {}); // a close follows
    this.ws.on("message", (data: Buffer, isBinary) => {
      if (isBinary) return void this.untracked++;
      const text = data.toString();
      if (text.startsWith('{"type":"event"')) return this.#event(text);
      let frame: Record<string, unknown>;
      try {
        frame = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return void this.untracked++;
      }
      if (frame.type === "ok" || frame.type === "error") {
        const pending = typeof frame.ref === "number" ? this.#pending.get(frame.ref) : undefined;
        if (pending) {
          this.#pending.delete(frame.ref as number);
          clearTimeout(pending.timer);
          pending.onReply?.(frame as Reply);
          pending.resolve(frame as Reply);
        } else if (frame.type === "error" && frame.ref === null) {
          const code = String(frame.code);
          this.refusals[code] = (this.refusals[code] ?? 0) + 1;
        } else {
          this.untracked++;
        }
        return;
      }
      if (frame.type === "gap" && this.ledgers.has(String(frame.event))) return this.#gap(frame);
      if (frame.type === "welcome") return;
      if (options.onOtherFrame) options.onOtherFrame(frame);
      else this.untracked++;
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends an op; resolves with its reply, or a synthetic `error` with code `timeout`/`disconnected`. */
  op(fields: Record<string, unknown>, timeoutMs = 10_000, onReply?: (reply: Reply) => void): Promise<Reply> {
    const ref = this.#nextRef++;
    if (!this.open) return Promise.resolve({ type: "error", ref, code: "disconnected", message: "not open" });
    return new Promise<Reply>((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(ref);
        resolve({ type: "error", ref, code: "client_timeout", message: `no reply within ${timeoutMs} ms` });
      }, timeoutMs);
      this.#pending.set(ref, { resolve, timer, ...(onReply ? { onReply } : {}) });
      this.ws.send(JSON.stringify({ ...fields, ref }));
    });
  }

  /** Subscribes and opens the ledger of `name` at the subscribe's `last`. */
  subscribe(name: string): Promise<Reply> {
    return this.op({ type: "subscribe", event: name }, 10_000, (reply) => {
      if (reply.type !== "ok" || typeof reply.last !== "string") return;
      const { epoch, seq } = splitId(reply.last);
      this.ledgers.set(name, { name, epoch, from: seq, until: Infinity, next: seq + 1, received: 0, holes: 0, duplicates: 0, foreign: 0, gaps: 0, gapMissed: 0, gapUnknown: 0, unannounced: 0, overAnnounced: 0, credit: 0, recent: [`from ${seq}`] });
    });
  }

  /**
   * Closes every ledger: a re-subscribe tells the newest id now, and the client waits (at most
   * `waitMs`) until everything up to it has arrived; what has not is counted as holes.
   * Returns false when the server did not answer.
   */
  async settle(waitMs: number): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    let answered = true;
    await Promise.all(
      [...this.ledgers.values()].map(async (ledger) => {
        const reply = await this.op({ type: "subscribe", event: ledger.name }, waitMs, (ok) => {
          if (ok.type !== "ok" || typeof ok.last !== "string") return;
          const { epoch, seq } = splitId(ok.last);
          ledger.until = epoch === ledger.epoch ? seq : ledger.next - 1;
          note(ledger, `until ${ok.last}`);
        });
        if (reply.type !== "ok" || typeof reply.last !== "string") {
          answered = false;
          ledger.until = ledger.next - 1;
        }
      }),
    );
    while (this.open && [...this.ledgers.values()].some((ledger) => ledger.next <= ledger.until) && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#waiters.add(() => (clearTimeout(timer), resolve()));
      });
    }
    for (const ledger of this.ledgers.values()) {
      if (ledger.next <= ledger.until) {
        hole(ledger, ledger.until - ledger.next + 1);
        ledger.next = ledger.until + 1;
      }
      ledger.overAnnounced += Number.isFinite(ledger.credit) ? ledger.credit : 0;
      ledger.credit = 0;
    }
    return answered;
  }

  /** Stops reading: the kernel's buffers fill, then the server's, then its queue overflows. */
  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  close(): void {
    try {
      this.ws.close(1000);
    } catch {
      // already closing
    }
    setTimeout(() => this.ws.terminate(), 2_000).unref();
  }

  #event(text: string): void {
    // The server writes `{"type":"event","event":<name>,"id":<id>,"data":…}`: read the name and id
    // without parsing the payload.
    const nameStart = 25;
    const nameEnd = text.indexOf('","id":"', nameStart);
    if (nameEnd === -1) return void this.untracked++;
    const name = text.slice(nameStart, nameEnd);
    const idEnd = text.indexOf('"', nameEnd + 8);
    const id = text.slice(nameEnd + 8, idEnd);
    const ledger = this.ledgers.get(name);
    if (!ledger) return void this.untracked++;
    const { epoch, seq } = splitId(id);
    note(ledger, seq);
    if (epoch !== ledger.epoch) return void ledger.foreign++;
    if (seq < ledger.next) {
      ledger.duplicates++;
    } else {
      // Only what the ledger owes counts: (from, until].
      if (seq <= ledger.until) ledger.received++;
      const holeEnd = Math.min(seq, ledger.until + 1);
      if (holeEnd > ledger.next) hole(ledger, holeEnd - ledger.next);
      ledger.next = seq + 1;
      if (seq <= ledger.until) {
        ledger.overAnnounced += Number.isFinite(ledger.credit) ? ledger.credit : 0;
        ledger.credit = 0;
      }
    }
    if (this.#waiters.size > 0) this.#notify();
  }

  #gap(frame: Record<string, unknown>): void {
    const ledger = this.ledgers.get(String(frame.event));
    if (!ledger) return void this.untracked++;
    ledger.gaps++;
    note(ledger, `gap ${String(frame.missed)} ${String(frame.reason)}`);
    if (typeof frame.missed === "number") {
      ledger.gapMissed += frame.missed;
      ledger.credit += frame.missed;
    } else {
      ledger.gapUnknown++;
      ledger.credit = Infinity;
    }
  }

  #notify(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) waiter();
  }
}

/** `count` seqs never arrived: paid for by the gaps announced since the last event, or unannounced. */
function hole(ledger: Ledger, count: number): void {
  ledger.holes += count;
  const paid = Math.min(count, ledger.credit);
  ledger.credit -= paid;
  ledger.unannounced += count - paid;
}

function note(ledger: Ledger, what: number | string): void {
  ledger.recent.push(what);
  if (ledger.recent.length > 160) ledger.recent.splice(0, 80);
}

export function splitId(id: string): { epoch: string; seq: number } {
  const dash = id.lastIndexOf("-");
  return { epoch: id.slice(0, dash), seq: Number(id.slice(dash + 1)) };
}
