import { ClosedError, DisconnectedError } from "../shared/errors";
import { CloseCode, shouldReconnect } from "../protocol/close-codes";
import { PROTOCOL_VERSION, type ClientOpType, type OkFrame, type TraceFrame, type WelcomeFrame } from "../protocol/frames";
import { parseServerFrame } from "../protocol/parse-frame";
import { fullJitterBackoff } from "./backoff";
import { createLiveness } from "./liveness";
import { createMonitorSessions, resolveToken, type MonitorMember, type MonitorToken } from "./monitor-sessions";
import { CLIENT_LIMITS, type ConnectionSettings } from "./options";
import { createPendingOps, type OpFields, type OpOptions, type PendingOp } from "./pending-ops";
import { reportOddity, reportProblem } from "./report";
import { detachSocket, discardSocket, sendFrame, type SocketLike } from "./socket";
import { reasonForClose, type ConnectionState, type StateDetail, type StateReason } from "./state";
import { createSubscriptions, type ErrorForOp, type SubscribeResult, type SubscriptionMember, type SubscriptionPort } from "./subscriptions";

/** A manager, as the shared connection sees it: someone to tell about states, events and gaps. */
export interface ConnectionMember extends SubscriptionMember, MonitorMember {
  onState(state: ConnectionState, detail: StateDetail): void;
}

/**
 * The one socket of a page for one URL, shared by every EventManager on it (see registry.ts).
 *
 * This interface is the contract between managers and connections. Keep it stable: a page may
 * hold two copies of this client (the injected bundle and the app's own import), and a manager
 * from one copy then talks to a connection made by the other.
 */
export interface SharedConnection extends SubscriptionPort {
  readonly url: string;
  readonly state: ConnectionState;
  /** The detail of the last state change (for `connected`, what the `welcome` said). */
  readonly detail: StateDetail;
  join(member: ConnectionMember): void;
  /**
   * A manager closed: its ops are rejected with `reason`, its subscriptions and monitor sessions
   * released. When it was the last one, the socket closes with 1000 and the connection is done.
   */
  leave(member: ConnectionMember, reason: ErrorForOp): void;
  /**
   * Sends an op (now when the socket is ready, else as soon as it is) and resolves with its `ok`
   * frame; rejects with the server's error, a TimeoutError, or a DisconnectedError when the socket
   * drops after the op was sent. The server may or may not have acted on it then: only the caller
   * knows whether a retry is safe, so the client never resends an op by itself.
   */
  call<T extends ClientOpType>(type: T, fields: OpFields<T>, options: OpOptions): Promise<OkFrame<T>>;
  /**
   * Holds `name` (or a pattern) for `member` (ref-counted across members); resolves once the
   * server accepted it. `presence`: the member also wants join and leave frames.
   */
  subscribe(name: string, member: ConnectionMember, timeoutMs: number, presence?: boolean): Promise<SubscribeResult>;
  /** Releases `name` for `member`; the socket's subscription ends when no member holds it. */
  unsubscribe(name: string, member: ConnectionMember): void;
  /**
   * Makes the connection a monitor session with `token`, and keeps it one across reconnects.
   * Resolves with the function that stops delivering traces to `onTrace`.
   */
  monitor(member: ConnectionMember, token: MonitorToken, onTrace: (trace: TraceFrame) => void, timeoutMs: number): Promise<() => void>;
}

/**
 * Opens the first socket at once; `onClosed` runs once, when the connection closes for good.
 *
 * The connection owns the state machine (one `setState`, and nothing else changes the state), the
 * reconnect loop, the pending ops, the ref-counted wire subscriptions and the monitor session.
 * It is a closure rather than a class: the state is private without `#fields`, and the bundle
 * that every page downloads minifies to a fraction of the size.
 */
export function openSharedConnection(settings: ConnectionSettings, onClosed: () => void): SharedConnection {
  const { url } = settings;
  const members = new Set<ConnectionMember>();
  const pending = createPendingOps();
  const monitors = createMonitorSessions();
  const liveness = createLiveness(ping, () => abandon("heartbeat-timeout"), CLIENT_LIMITS.maxPongWaitMs);
  let state: ConnectionState = "connecting";
  let detail: StateDetail = { reason: "open" };
  let socket: SocketLike | undefined;
  /** Bumped whenever a socket ends: async work started for an older socket checks it and stops. */
  let generation = 0;
  /** The current socket has been welcomed: subscriptions and the monitor op may go. */
  let welcomed = false;
  /** Welcomed, and the monitor session (if any) re-authorized: every op may go. */
  let ready = false;
  /** Failed attempts since the last `welcome`. */
  let attempt = 0;
  let connectTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Sends a fresh monitor token before the current one expires (the server closes the session then). */
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;

  const connection: SharedConnection = {
    url,
    get state() {
      return state;
    },
    get detail() {
      return detail;
    },
    get welcomed() {
      return welcomed;
    },
    join(member) {
      members.add(member);
    },
    leave(member, reason) {
      if (!members.delete(member)) return;
      pending.rejectWhere((op) => op.owner === member, (op) => reason(op.label));
      monitors.removeMember(member);
      if (members.size === 0) return shutdown(reason);
      subscriptions.releaseAll(member, reason);
    },
    call(type, fields, options) {
      if (state === "closed") return Promise.reject(closedError(options.label));
      const { op, promise } = pending.register(type, fields, options);
      if (op && (ready || (op.early && welcomed))) transmit(op);
      return promise as Promise<OkFrame<typeof type>>;
    },
    subscribe(name, member, timeoutMs, presence) {
      if (state === "closed") return Promise.reject(closedError(`Subscribe "${name}"`));
      return subscriptions.hold(name, member, timeoutMs, presence);
    },
    unsubscribe(name, member) {
      subscriptions.release(name, member);
    },
    async monitor(member, token, onTrace, timeoutMs) {
      const text = await resolveToken(token);
      const reply = await connection.call("monitor", { token: text, traces: "batched" }, { label: "Monitor", owner: member, timeoutMs, early: true });
      const remove = monitors.add(member, token, onTrace);
      scheduleMonitorRefresh(reply);
      return remove;
    },
  };
  const subscriptions = createSubscriptions(connection, CLIENT_LIMITS.recentIdsPerEvent);

  function connect(): void {
    retryTimer = undefined;
    if (state === "closed") return;
    let opened: SocketLike;
    try {
      opened = settings.openSocket();
    } catch (error) {
      reportProblem(`Opening ${url} failed:`, error);
      return lost("network");
    }
    socket = opened;
    opened.onopen = () => {}; // Nothing to do yet: the socket is usable once the server's `welcome` arrives.
    opened.onmessage = (event) => {
      if (socket === opened) receive(event.data);
    };
    opened.onclose = (event) => {
      if (socket === opened) lost(reasonForClose(event.code), event.code, event.reason);
    };
    opened.onerror = () => {}; // A close event always follows, and it carries the code.
    connectTimer = setTimeout(() => abandon("connect-timeout"), settings.connectTimeout);
  }

  function receive(data: unknown): void {
    liveness.heard();
    // Protocol v1 sends text frames only, and a newer server may add frame types: neither is fatal.
    if (typeof data !== "string") return reportOddity("Ignored a binary frame");
    const frame = parseServerFrame(data);
    if (!frame) return reportOddity(`Ignored an unknown frame: ${data.slice(0, 200)}`);
    switch (frame.type) {
      case "welcome":
        return welcome(frame);
      case "event":
        return subscriptions.receive(frame);
      case "gap":
        return frame.event === "*" ? monitors.gap(frame) : subscriptions.gap(frame);
      case "join":
      case "leave":
        return subscriptions.presence(frame);
      case "trace":
        return monitors.trace(frame);
      case "traces":
        return frame.traces.forEach((trace) => monitors.trace({ type: "trace", ...trace }));
      case "ok":
      case "error":
        if (frame.type === "error" && frame.ref === null) return reportProblem(`The server refused a frame: ${frame.code}: ${frame.message}`);
        pending.answer(frame);
    }
  }

  function welcome(frame: WelcomeFrame): void {
    if (welcomed) return;
    if (frame.protocol !== PROTOCOL_VERSION) {
      reportProblem(`The server speaks protocol ${String(frame.protocol)}, this client ${PROTOCOL_VERSION}: reload the page`);
      return abandon("protocol");
    }
    clearTimeout(connectTimer);
    attempt = 0;
    welcomed = true;
    liveness.start(frame.heartbeat);
    const current = generation;
    // Resubscribe first, so that queued triggers of names this page listens to are seen.
    subscriptions.connected();
    flush((op) => op.early);
    if (monitors.active) {
      // Other queued ops wait for the monitor session: a queued `describe` must see internal names again.
      void authorizeMonitor(current).then(() => current === generation && becomeReady());
    } else {
      becomeReady();
    }
    setState("connected", { reason: "welcome", connection: frame.connection, instance: frame.instance, startedAt: frame.startedAt, heartbeat: frame.heartbeat });
  }

  /** Sends the monitor sessions' (fresh) tokens on the current socket until one is accepted. */
  function authorizeMonitor(current: number): Promise<boolean> {
    const send = (token: string) =>
      connection.call("monitor", { token, traces: "batched" }, { label: "Monitor", early: true, timeoutMs: settings.connectTimeout }).then((reply) => {
        if (current === generation) scheduleMonitorRefresh(reply);
        return reply;
      });
    return monitors.authorize(send, () => current === generation);
  }

  /**
   * The server ends a monitor session when its token expires: ask for a fresh token a while
   * before (a fifth of the time left, at most a minute), measured by the server's `expiresIn`
   * so that a skewed client clock does not matter.
   */
  function scheduleMonitorRefresh(reply: { expiresIn?: number }): void {
    clearTimeout(refreshTimer);
    const left = reply.expiresIn;
    if (typeof left !== "number" || !Number.isFinite(left)) return;
    const current = generation;
    refreshTimer = setTimeout(() => {
      if (current === generation && monitors.active) void authorizeMonitor(current);
    }, Math.max(1_000, left - Math.min(60_000, left / 5)));
    (refreshTimer as { unref?: () => void }).unref?.();
  }

  function becomeReady(): void {
    ready = true;
    flush(() => true);
  }

  function flush(which: (op: PendingOp) => boolean): void {
    for (const op of pending.unsent()) if (which(op) && socket) transmit(op);
  }

  function transmit(op: PendingOp): void {
    op.sent = true;
    try {
      if (socket) sendFrame(socket, op.text);
    } catch (error) {
      // The socket is failing; its close event follows and rejects the op as disconnected.
      reportProblem(`Sending ${op.label} failed:`, error);
    }
  }

  function ping(): void {
    // Its answer needs no handling: any frame at all proves the connection alive.
    if (welcomed) connection.call("ping", {}, { label: "Ping", early: true }).catch(() => {});
  }

  /** Gives up the current socket on the client's own initiative, and carries on as if it had closed. */
  function abandon(reason: "heartbeat-timeout" | "connect-timeout" | "protocol"): void {
    if (!socket) return;
    discardSocket(socket);
    lost(reason);
  }

  /** The current socket is gone. Reconnect, unless the close said not to. */
  function lost(reason: StateReason, closeCode?: number, closeReason?: string): void {
    dropSocket();
    if (state === "closed") return;
    const next: StateDetail = { reason };
    if (closeCode !== undefined) next.closeCode = closeCode;
    if (closeReason) next.closeReason = closeReason;
    if (reason === "protocol" || (closeCode !== undefined && !shouldReconnect(closeCode))) return finish(next, closedError);
    const retryInMs = delay(attempt);
    retryTimer = setTimeout(connect, retryInMs);
    setState("reconnecting", { ...next, retryInMs, attempt: attempt++ });
  }

  /** Forgets the current socket: whatever was sent on it and not answered is lost. */
  function dropSocket(): void {
    if (socket) detachSocket(socket);
    socket = undefined;
    generation++;
    welcomed = false;
    ready = false;
    clearTimeout(connectTimer);
    clearTimeout(refreshTimer);
    liveness.stop();
    subscriptions.disconnected();
    pending.rejectWhere(
      (op) => op.sent,
      (op) => new DisconnectedError(`${op.label} failed: the connection dropped before the server answered`),
    );
  }

  /** The last member left: close the socket normally, and end. */
  function shutdown(reason: ErrorForOp): void {
    if (state === "closed") return;
    const last = socket;
    dropSocket();
    try {
      last?.close(CloseCode.Normal, "closed-by-client");
    } catch {
      // Already closing: nothing left to do.
    }
    finish({ reason: "closed-by-client" }, reason);
  }

  /** Enters `closed` for good: nothing is retried, and everything still waiting gets its answer. */
  function finish(last: StateDetail, reason: ErrorForOp): void {
    clearTimeout(retryTimer);
    setState("closed", last);
    pending.rejectWhere(() => true, (op) => reason(op.label));
    subscriptions.clear(reason);
    onClosed();
  }

  /** The one place the state changes. */
  function setState(next: ConnectionState, nextDetail: StateDetail): void {
    state = next;
    detail = nextDetail;
    for (const member of [...members]) member.onState(next, nextDetail);
  }

  function delay(failed: number): number {
    try {
      const ms = settings.backoff(failed);
      if (Number.isFinite(ms) && ms >= 0) return ms;
      reportProblem(`The backoff option gave ${String(ms)}; using full jitter`);
    } catch (error) {
      reportProblem("The backoff option threw; using full jitter:", error);
    }
    return fullJitterBackoff(failed);
  }

  function closedError(label: string): Error {
    if (detail.reason === "closed-by-client") return new ClosedError(`${label} failed: the connection was closed`);
    const code = detail.closeCode === undefined ? "" : `, close code ${detail.closeCode}`;
    return new DisconnectedError(`${label} failed: the connection is closed (${detail.reason}${code}) and does not reconnect`);
  }

  connect();
  return connection;
}
