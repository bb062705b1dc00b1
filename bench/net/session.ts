/** A server process and a client process for one contender, and one measured phase between them. */
import { SERVER_LABELS, type ServerKind, type ServerWindow } from "./common";
import { Child } from "./rpc";

export interface SessionOptions {
  kind: ServerKind;
  /** Profile the server's CPU during every measured window (V8 sampling profiler, as node --cpu-prof) into this directory. */
  profileDir?: string;
  env?: Record<string, string>;
}

export class Session {
  readonly kind: ServerKind;
  readonly server: Child;
  client!: Child;

  private constructor(options: SessionOptions) {
    this.kind = options.kind;
    const env: Record<string, string> = { BENCH_KIND: options.kind, ...options.env };
    if (options.profileDir) env.BENCH_PROFILE_DIR = options.profileDir;
    this.server = Child.start("net/server.ts", { label: `${SERVER_LABELS[options.kind]} server`, execArgv: ["--expose-gc"], env });
  }

  static async open(options: SessionOptions): Promise<Session> {
    const session = new Session(options);
    try {
      const { port } = await session.server.call<{ port: number }>("info", {}, 30_000);
      session.client = Child.start("net/client.ts", { label: `${SERVER_LABELS[options.kind]} clients`, env: { BENCH_KIND: options.kind, BENCH_PORT: String(port) } });
      return session;
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  /** Opens `count` client connections (subscribed to the event when `subscribe`) and checks the server sees them. */
  async connect(count: number, subscribe: boolean): Promise<void> {
    await this.client.call("connect", { count, subscribe, timeoutMs: 60_000 }, 70_000);
    if (!subscribe) return;
    const deadline = Date.now() + 5_000;
    let seen = 0;
    while (Date.now() < deadline) {
      seen = await this.server.call<number>("subscribers");
      if (seen >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${this.kind}: the server sees ${seen} subscribers, expected ${count}`);
  }

  /**
   * One measured phase: GC and mark on the server, arm the clients, send, wait until every expected
   * client has every event (or nothing arrived for 5 s, or the time bound), then read the
   * server's CPU and memory for the window.
   */
  async phase(args: PhaseArgs): Promise<PhaseResult> {
    await this.server.call("mark", { label: args.label });
    await this.client.call("arm", { phase: args.phase, events: args.events, from: args.from, to: args.to });
    if (args.pingIndex !== undefined) await this.client.call("pingStart", { index: args.pingIndex, intervalMs: 20, maxMs: args.maxMs + 30_000 });
    const sendArgs = { phase: args.phase, events: args.events, bytes: args.bytes, maxMs: args.maxMs, ...(args.mode === "flood" ? { burst: args.burst } : { rate: args.rate, maxBurst: args.burst }) };
    const sending = this.server.call<SendResult>(args.mode, sendArgs, args.maxMs + 15_000);
    sending.catch(() => {}); // awaited below; a failure must not be unhandled meanwhile
    const received = await this.client.call<WaitResult>("wait", { timeoutMs: args.maxMs + 10_000, idleMs: 5_000 }, args.maxMs + 20_000);
    const sent = await sending;
    const ping = args.pingIndex !== undefined ? await this.client.call<PingResult>("pingStop") : undefined;
    if (args.holdMs) await new Promise((resolve) => setTimeout(resolve, args.holdMs));
    const window = await this.server.call<ServerWindow>("stop");
    return { sent, received, window, ping };
  }

  async close(): Promise<void> {
    await Promise.all([this.client?.stop(), this.server.stop()]);
  }
}

export interface PhaseArgs {
  /** Names the window's CPU profile, when profiling. */
  label?: string;
  phase: number;
  mode: "flood" | "paced";
  events: number;
  bytes: number;
  /** flood: events per turn; paced: the most that go out in one turn when behind. */
  burst: number;
  /** paced: events per second. */
  rate?: number;
  maxMs: number;
  /** Connections that must receive everything: [from, to). */
  from?: number;
  to?: number;
  /** Ping from this connection every 20 ms during the phase. */
  pingIndex?: number;
  /** Wait this long after the clients are done before reading memory (stalled buffers keep growing). */
  holdMs?: number;
}

export interface SendResult {
  sent: number;
  startAt: number;
  endAt: number;
}

export interface Latency {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface WaitResult {
  /** CPU the client process spent from arm to the end of the wait, µs. */
  clientCpuUs: number;
  complete: boolean;
  firstAt: number;
  doneAt: number;
  received: number;
  expected: number;
  lost: number;
  incomplete: number;
  latency: Latency;
  outOfOrder: number;
  stray: number;
  gaps: number;
  errors: number;
  closed: number;
}

export type PingResult = Latency & { skipped: number; unanswered: number };

export interface PhaseResult {
  sent: SendResult;
  received: WaitResult;
  window: ServerWindow;
  ping?: PingResult;
}

/** `items` rotated by `round`: every contender goes first in turn. */
export function rotate<T>(items: readonly T[], round: number): T[] {
  const shift = round % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}
