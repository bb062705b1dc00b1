import type { ConnectionSettings } from "./options";
import { openSharedConnection, type SharedConnection } from "./shared-connection";

/**
 * Where a page's shared connections live. A global symbol rather than a module variable: the
 * injected `events.js` bundle and the app's own `import` are two copies of this code, and a page
 * should still open one socket, not one per copy.
 */
export const REGISTRY_KEY = Symbol.for("webfluid.events.client");

type Registry = Map<string, SharedConnection>;

/** The page's connections by URL. */
export function connectionRegistry(): Registry {
  const root = globalThis as { [REGISTRY_KEY]?: Registry };
  return (root[REGISTRY_KEY] ??= new Map());
}

/**
 * The connection for `settings.url`, opened with these settings when there is none yet (or the
 * last one closed for good). Later managers on the same URL share it, and its socket-level
 * settings (WebSocket, backoff, connectTimeout) are the first manager's.
 */
export function acquireConnection(settings: ConnectionSettings): SharedConnection {
  const registry = connectionRegistry();
  const existing = registry.get(settings.url);
  if (existing && existing.state !== "closed") return existing;
  const connection: SharedConnection = openSharedConnection(settings, () => {
    if (registry.get(settings.url) === connection) registry.delete(settings.url);
  });
  registry.set(settings.url, connection);
  return connection;
}
