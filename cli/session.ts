import { WebSocket } from "ws";
import { EventManager, type SocketLike, type StateDetail, type TraceFrame } from "@/lib/events/client";
import type { RunContext } from "./context";
import { CliError } from "./exit";
import { monitorTokenSource } from "./monitor-token";

export interface SessionOptions {
  /** Every trace of the app (the monitor session's tap); none for commands that only ask. */
  onTrace?: (trace: TraceFrame) => void;
  /**
   * A long-running command (tail, listen): connection losses are survived and told on stderr.
   * A one-shot command fails on them instead.
   */
  live?: boolean;
  /** What a live command says after "Reconnected": what became of the time between. */
  afterReconnect?: string;
}

/** A monitor session on the app: the dashboard's view, from a terminal. */
export interface Session {
  events: EventManager;
  /** Rejects when the session cannot go on: a refused token, or a connection closed for good. Never resolves. */
  ended: Promise<never>;
  close(): void;
}

/**
 * Opens the app's events endpoint with the Node client (`ws`) and makes it a monitor session,
 * with a token function that asks the app for a fresh token whenever the client needs one (at
 * the start, after every reconnect, before the 5 minutes run out). Fails with a CliError when the
 * app cannot be reached or refuses the token.
 */
export async function openSession(context: RunContext, options: SessionOptions = {}): Promise<Session> {
  const { target, dashboardToken, terminal } = context;
  const c = terminal.noteColor;
  let fail!: (error: CliError) => void;
  const ended = new Promise<never>((_, reject) => (fail = reject));
  ended.catch(() => {}); // Whoever awaits it hears; nobody else must.

  // The browser API hides why a socket failed; `ws` tells its error listeners (ECONNREFUSED, "Unexpected server response: 403").
  let socketError: string | undefined;
  const events = new EventManager({
    url: target.events,
    createSocket: (url, protocols) => {
      // The server never compresses (docs/protocol.md): offering it would only cost.
      const socket = new WebSocket(url, protocols, { perMessageDeflate: false });
      socket.on("error", (error) => (socketError = error.message));
      return socket as unknown as SocketLike;
    },
  });

  let connectedOnce = false;
  events.onStateChange((state, detail) => {
    if (state === "connected") {
      if (connectedOnce && options.live) void confirmReconnected(detail.instance);
      connectedOnce = true;
      socketError = undefined;
    } else if (state === "reconnecting") {
      const why = socketError ?? reasonOf(detail);
      socketError = undefined;
      if (!connectedOnce) return fail(new CliError("unreachable", `Cannot open ${target.events}: ${why}`));
      if (!options.live) return;
      const retry = ((detail.retryInMs ?? 0) / 1_000).toFixed(1);
      terminal.note(c.yellow(detail.attempt ? `Still cannot connect (${why}); next try in ${retry} s` : `Connection lost (${why}); reconnecting in ${retry} s`));
    } else if (state === "closed" && detail.reason !== "closed-by-client") {
      fail(new CliError("disconnected", `The connection to ${target.events} closed for good (${reasonOf(detail)})`));
    }
  });

  /**
   * The socket is back, but the monitor session is renewed after it (a fresh token, a `monitor`
   * op). Ops sent now wait for that, and only a monitor's `describe` carries the cluster: so
   * "reconnected" is said once it is true, and a session that could not be renewed ends.
   */
  async function confirmReconnected(instance: string | undefined): Promise<void> {
    const described = await events.describe().catch(() => undefined);
    if (described === undefined) return; // Lost again meanwhile: the next reconnect confirms.
    if (!described.cluster) {
      return fail(new CliError("monitor_lost", `Reconnected to ${target.events}, but the monitor session could not be renewed (see above)`));
    }
    terminal.note(c.green(`Reconnected to ${target.events} (instance ${instance ?? "?"})${options.afterReconnect ? `: ${options.afterReconnect}` : ""}`));
  }

  const token = monitorTokenSource({ target, dashboardToken }, (refusal) => fail(refusal));
  const monitoring = events.monitor(token, options.onTrace ?? (() => {}));
  monitoring.catch(() => {}); // Raced below; a rejection after the race is lost on purpose.
  try {
    await Promise.race([monitoring, ended]);
  } catch (error) {
    events.close();
    throw error;
  }
  return { events, ended, close: () => events.close() };
}

/** A state change's reason as people say it: `network`, `closed-by-server, close code 4401: …`. */
export function reasonOf(detail: StateDetail): string {
  const code = detail.closeCode === undefined ? "" : `, close code ${detail.closeCode}`;
  const text = detail.closeReason ? `: ${detail.closeReason}` : "";
  return `${detail.reason}${code}${text}`;
}
