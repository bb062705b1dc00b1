/**
 * Test support (not shipped): opens managers against a TestServer with test-friendly timings and
 * closes everything after each test, so the page-global connection registry never leaks between
 * tests.
 */
import { afterEach, expect } from "vitest";
import { WebSocket } from "ws";
import { EventManager } from "@/lib/events/client/event-manager";
import type { EventManagerOptions } from "@/lib/events/client/options";
import { connectionRegistry } from "@/lib/events/client/registry";
import type { ConnectionState, StateDetail } from "@/lib/events/client/state";
import { TestServer, type TestServerOptions } from "./client-test-server";

export interface Harness {
  /** The server of the current test (started by `start`). */
  readonly server: TestServer;
  start(options?: TestServerOptions): Promise<TestServer>;
  /** A manager on the current server: `ws` sockets, a 5 ms backoff, closed after the test. */
  manager(options?: EventManagerOptions): EventManager;
  /** Records every state change of a manager. */
  states(manager: EventManager): Array<{ state: ConnectionState } & StateDetail>;
}

/** Call once at the top of a test file. */
export function clientHarness(): Harness {
  let server: TestServer | undefined;
  const managers: EventManager[] = [];
  afterEach(async () => {
    for (const manager of managers.splice(0)) manager.close();
    await server?.close();
    server = undefined;
    // Every test closes what it opened: no connection may outlive it.
    expect([...connectionRegistry().keys()]).toEqual([]);
  });
  return {
    get server() {
      if (!server) throw new Error("call harness.start() first");
      return server;
    },
    async start(options) {
      server = await TestServer.start(options);
      return server;
    },
    manager(options = {}) {
      if (!server) throw new Error("call harness.start() first");
      const manager = new EventManager({ url: server.url, WebSocket, backoff: () => 5, ...options });
      managers.push(manager);
      return manager;
    },
    states(manager) {
      const seen: Array<{ state: ConnectionState } & StateDetail> = [];
      manager.onStateChange((state, detail) => seen.push({ state, ...detail }));
      return seen;
    },
  };
}
