"use client";

import { useEffect } from "react";
import { errorInfo } from "@/lib/dashboard/fire";
import { isTokenFresh } from "@/lib/dashboard/monitor-token";
import { replayId } from "@/lib/dashboard/replay";
import type { DashboardStore } from "@/lib/dashboard/store";
import { injectedEventManager } from "./injected-client";

/** How often handlers, subscribers and counters are refreshed with `describe`. */
const DESCRIBE_EVERY_MS = 2_000;
export const MONITOR_TOKEN_ROUTE = "/api/events/monitor-token";

/**
 * Connects the store to the server: one EventManager from the injected client becomes a monitor
 * session whose traces feed the store. The first token comes with the page; after every reconnect
 * (tokens expire) a fresh one is fetched from the token route.
 */
export function useMonitorSession(store: DashboardStore, initialToken: string | null): void {
  useEffect(() => {
    // Connecting a tick later means React's development double-mount never opens a throwaway socket.
    let dispose: (() => void) | undefined;
    const start = setTimeout(() => (dispose = connect(store, initialToken)), 0);
    return () => {
      clearTimeout(start);
      dispose?.();
    };
  }, [store, initialToken]);
}

/** Opens the monitor session; returns the function that ends it. */
function connect(store: DashboardStore, initialToken: string | null): () => void {
  const { actions } = store.getState();
  const Manager = injectedEventManager();
  if (!Manager || initialToken === null) {
    actions.setConnection("closed", { reason: "disabled" });
    actions.setMonitor("unavailable", "Events are off on this server (EXT_EVENTS=0): there is no traffic to watch.");
    return () => undefined;
  }
  const manager = new Manager();
  let disposed = false;
  let pageToken: string | null = initialToken;
  // Asked after every reconnect and before each token expires: a refusal (signed out, the
  // dashboard token changed) ends the session, and the page says so instead of going quiet.
  const token = async (): Promise<string> => {
    const given = pageToken;
    pageToken = null;
    if (given && isTokenFresh(given)) return given;
    try {
      return await fetchMonitorToken();
    } catch (error) {
      if (!disposed) actions.setMonitor("unavailable", `The monitor session ended: ${errorInfo(error).message}`);
      throw error;
    }
  };

  const offState = manager.onStateChange((state, detail) => actions.setConnection(state, detail));
  actions.setConnection(manager.state, manager.stateDetail);
  const offGap = manager.onGap((gap) => {
    if (gap.event === "*") actions.noteGap(gap.missed);
  });
  const refresh = () => {
    manager.describe().then(
      (described) => {
        if (!disposed) actions.applyDescribe(described);
      },
      () => undefined, // a refresh during a reconnect fails; the next one will do
    );
  };

  let stopTraces: (() => void) | undefined;
  manager.monitor(token, (trace) => actions.receive(trace)).then(
    (stop) => {
      if (disposed) return stop();
      stopTraces = stop;
      actions.setMonitor("active");
      actions.setClient({
        trigger: (name, data) => manager.trigger(name, data),
        request: (name, data) => manager.request(name, data),
        replay: (kind, name, data, replayOf) => (kind === "trigger" ? manager.replay("trigger", name, data, replayOf) : manager.replay("request", name, data, replayOf)),
      });
      actions.setOperator({
        connections: (options) => manager.connections(options),
        disconnect: (connection, reason) => manager.disconnect(connection, reason),
        presence: (name) => manager.presence(name),
        triggerFromRecording: (trace) => manager.replay("trigger", trace.name, trace.data, replayId(trace), true),
      });
      refresh();
    },
    (error: unknown) => {
      if (!disposed) actions.setMonitor("unavailable", `The server refused the monitor session: ${errorInfo(error).message}`);
    },
  );
  const timer = setInterval(refresh, DESCRIBE_EVERY_MS);

  return () => {
    disposed = true;
    clearInterval(timer);
    stopTraces?.();
    offState();
    offGap();
    actions.setClient(null);
    actions.setOperator(null);
    manager.close();
  };
}

async function fetchMonitorToken(): Promise<string> {
  const response = await fetch(MONITOR_TOKEN_ROUTE, { cache: "no-store", credentials: "same-origin" });
  const body = (await response.json().catch(() => null)) as { token?: string; error?: { message?: string } } | null;
  if (!response.ok || typeof body?.token !== "string") {
    const reason = body?.error?.message ?? `the token route answered ${response.status}`;
    throw new Error(response.status === 401 ? `${reason}: reload the page to sign in again` : `${reason}: reload the page`);
  }
  return body.token;
}
