/**
 * The injected `events.js`: bundled to an IIFE and served to every page, it puts the client at
 * `window.wf.ext.events` for plain scripts.
 *
 * @example
 * const events = new window.wf.ext.events.EventManager();
 * await events.subscribe("model:created");
 * events.registerHandler("model:created", (data, meta) => console.log(meta.id, data));
 */
import { fullJitterBackoff } from "./backoff";
import { EventManager } from "./event-manager";

/** What a page finds at `window.wf.ext.events`. */
export interface BrowserEventsApi {
  EventManager: typeof EventManager;
  fullJitterBackoff: typeof fullJitterBackoff;
  /** The wire protocol this client speaks. */
  version: 1;
}

const root = globalThis as { wf?: { ext?: Record<string, unknown> } };
// Other extensions put their clients beside this one: add to `wf.ext`, never replace it.
const wf = (root.wf ??= {});
const ext = (wf.ext ??= {});
ext.events = { EventManager, fullJitterBackoff, version: 1 } satisfies BrowserEventsApi;
