/**
 * A bare protocol-v1 client for the soak: one `ws` socket, ops matched by ref, and for every
 * subscribed name a ledger of the ids it saw. Ids are `<epoch>-<seq>` with seq contiguous per
 * name, and one connection receives the live events of a name in id order, so a ledger needs no
 * set of ids: the next expected seq, the holes seen, duplicates, and the gaps the server reported.
 *
 * On a cluster one connection may get a name's live events slightly out of id order: an
 * instance delivers its own events when Redis answers its publish, the other instance's when the
 * pub/sub message arrives, on another socket. With `reorderable`, a seq that arrives after the
 * ledger moved past it fills the hole it left (counted as `reordered`), `settle` waits a while
 * for the stragglers of unpaid holes, and a gap may pay for holes a little before it or a little
 * after the event that follows it; without it (one instance), a late seq is a duplicate and a
 * gap pays for the hole right after it, as before.
 */
import { WebSocket } from "ws";
import { EVENTS_PATH, SUBPROTOCOL } from "../lib/events/protocol";
import { parseEventId, type EventId } from "../lib/events/protocol/event-id";

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
  /** Seqs that arrived after a later one and filled the hole it had left (only when reorderable). */
  reordered: number;
  /** How far behind the newest seq such a late one was, at most. */
  reorderedBy: number;
  /**
   * Seqs at or before `from` that arrived after the subscribe's `ok` (only when reorderable: the
   * other instance's event, published before the subscribe read `last`, came later). Not owed.
   */
  beforeStart: number;
}

/** The holes one jump left: how many a gap's credit paid for, how many it did not, its first and last seq. */
interface Jump {
  paid: number;
  unannounced: number;
  first: number;
  last: number;
}

/** Holes a late seq may still fill, per name, each with the jump that left it. */
type OpenHoles = Map<number, Jump>;

/** How many recent holes per name a late seq may fill (reordering spans tens of ids; thousands when the machine cannot keep up). */
const OPEN_HOLES = 4_096;
/**
 * How long `settle` waits, once everything up to the closing `last` is in or skipped, for the
 * stragglers of holes no gap paid for (on a busy machine the two instances' deliveries cross by
 * seconds; a hole a gap paid for is a drop, not worth waiting for).
 */
const STRAGGLER_WAIT_MS = 5_000;
/**
 * How many seqs apart a gap and the holes it pays for may be, out of id order: a queue of a few
 * events, plus how far the two instances' deliveries cross (tens of ids, thousands on a machine
 * too busy to keep up; see `reorderedBy`).
 */
const REORDER_SLACK = 1_000;

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
  /** Per name, when reorderable: the recent holes a late seq may fill. */
  #openHoles: Map<string, OpenHoles> | undefined;
  /** Per name, when reorderable: recent jumps with holes no gap paid for yet, oldest first. */
  #unpaid = new Map<string, Jump[]>();
  /** Per name, when reorderable: a gap's credit stays for holes up to this seq. */
  #creditUntil = new Map<string, number>();

  constructor(baseUrl: string, options: { onOtherFrame?: (frame: Record<string, unknown>) => void; reorderable?: boolean } = {}) {
    if (options.reorderable) this.#openHoles = new Map();
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
      this.ledgers.set(name, { name, epoch, from: seq, until: Infinity, next: seq + 1, received: 0, holes: 0, duplicates: 0, foreign: 0, gaps: 0, gapMissed: 0, gapUnknown: 0, unannounced: 0, overAnnounced: 0, credit: 0, recent: [`from ${seq}`], reordered: 0, reorderedBy: 0, beforeStart: 0 });
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
    await this.#waitWhile(() => [...this.ledgers.values()].some((ledger) => ledger.next <= ledger.until), deadline);
    if (this.#openHoles) {
      const unpaid = (ledger: Ledger) => (this.#unpaid.get(ledger.name) ?? []).some((jump) => jump.unannounced > 0 && jump.last > ledger.from && jump.first <= ledger.until);
      const stragglers = () => [...this.ledgers.values()].some(unpaid);
      await this.#waitWhile(stragglers, Math.min(deadline, Date.now() + STRAGGLER_WAIT_MS));
    }
    for (const ledger of this.ledgers.values()) {
      if (ledger.next <= ledger.until) {
        this.#hole(ledger, ledger.until - ledger.next + 1);
        ledger.next = ledger.until + 1;
      }
      ledger.overAnnounced += Number.isFinite(ledger.credit) ? ledger.credit : 0;
      ledger.credit = 0;
    }
    return answered;
  }

  /** Waits (at most until `deadline`) while `condition` holds and the socket is open, checking on every event. */
  async #waitWhile(condition: () => boolean, deadline: number): Promise<void> {
    while (this.open && condition() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#waiters.add(() => (clearTimeout(timer), resolve()));
      });
    }
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
      if (this.#openHoles && seq <= ledger.from) ledger.beforeStart++;
      else if (this.#openHoles && seq > ledger.until) return; // late, and past the end: not owed
      else if (!this.#fillHole(ledger, seq)) ledger.duplicates++;
    } else {
      // Only what the ledger owes counts: (from, until].
      if (seq <= ledger.until) ledger.received++;
      const holeEnd = Math.min(seq, ledger.until + 1);
      if (holeEnd > ledger.next) this.#hole(ledger, holeEnd - ledger.next);
      ledger.next = seq + 1;
      // Credit not spent on the hole right after its gap is over-announced; out of id order the
      // holes it counts may come a little later.
      if (seq <= ledger.until && (!this.#openHoles || seq > (this.#creditUntil.get(name) ?? 0))) {
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
    if (this.#openHoles) {
      this.#creditUntil.set(ledger.name, ledger.next + REORDER_SLACK);
      this.#payOpenHoles(ledger);
    }
  }

  /**
   * Out of id order, an event the queue dropped can leave its hole before the gap that counts it
   * arrives (a later seq was written first): the gap pays for the recent unpaid holes first, the
   * newest first, then for the next ones as usual.
   */
  #payOpenHoles(ledger: Ledger): void {
    const unpaid = this.#unpaid.get(ledger.name);
    while (ledger.credit > 0 && unpaid && unpaid.length > 0) {
      const jump = unpaid.at(-1)!;
      if (jump.last < ledger.next - REORDER_SLACK) {
        unpaid.length = 0; // too far back to be this gap's, and so is every one before it
        break;
      }
      const pay = Math.min(ledger.credit, jump.unannounced);
      jump.unannounced -= pay;
      jump.paid += pay;
      ledger.unannounced -= pay;
      ledger.credit -= pay;
      if (jump.unannounced === 0) unpaid.pop();
    }
  }

  /** The seqs from `ledger.next` on, `count` of them, never arrived (yet). */
  #hole(ledger: Ledger, count: number): void {
    const paid = hole(ledger, count);
    const open = this.#openHoles;
    if (!open) return;
    let holes = open.get(ledger.name);
    if (!holes) open.set(ledger.name, (holes = new Map()));
    const jump: Jump = { paid, unannounced: count - paid, first: ledger.next, last: ledger.next + count - 1 };
    const first = Math.max(ledger.next, ledger.next + count - OPEN_HOLES);
    for (let seq = first; seq < ledger.next + count; seq++) holes.set(seq, jump);
    while (holes.size > OPEN_HOLES) holes.delete(holes.keys().next().value!);
    if (jump.unannounced === 0) return;
    let unpaid = this.#unpaid.get(ledger.name);
    if (!unpaid) this.#unpaid.set(ledger.name, (unpaid = []));
    unpaid.push(jump);
    if (unpaid.length > 256) unpaid.shift();
  }

  /** A seq below `next` arrived: when it left a hole, it fills it (reordered), else it is a duplicate. */
  #fillHole(ledger: Ledger, seq: number): boolean {
    const holes = this.#openHoles?.get(ledger.name);
    const jump = holes?.get(seq);
    if (!jump) return false;
    holes!.delete(seq);
    ledger.holes--;
    ledger.received++;
    ledger.reordered++;
    ledger.reorderedBy = Math.max(ledger.reorderedBy, ledger.next - 1 - seq);
    // One hole fewer in its jump: an unpaid one if there is one left, else a gap's credit was spent for nothing.
    if (jump.unannounced > 0) {
      jump.unannounced--;
      ledger.unannounced--;
    } else {
      jump.paid--;
      ledger.overAnnounced++;
    }
    return true;
  }

  #notify(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) waiter();
  }
}

/** `count` seqs never arrived: paid for by the gaps announced since the last event, or unannounced. */
function hole(ledger: Ledger, count: number): number {
  ledger.holes += count;
  const paid = Math.min(count, ledger.credit);
  ledger.credit -= paid;
  ledger.unannounced += count - paid;
  return paid;
}

function note(ledger: Ledger, what: number | string): void {
  ledger.recent.push(what);
  if (ledger.recent.length > 160) ledger.recent.splice(0, 80);
}

/** An id's history and sequence number (protocol/event-id.ts); an unreadable id is a history of its own with seq NaN. */
export function splitId(id: string): EventId {
  return parseEventId(id) ?? { epoch: id, seq: Number.NaN };
}
