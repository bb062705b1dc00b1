import type { EventManager } from "@/lib/events/client";

/**
 * The EventManager class of the injected `events.js` (`window.wf.ext.events`), or undefined when
 * the server runs with EXT_EVENTS=0. Browser only: call it inside an effect.
 */
export function injectedEventManager(): typeof EventManager | undefined {
  const root = window as unknown as { wf?: { ext?: { events?: { EventManager?: typeof EventManager } } } };
  return root.wf?.ext?.events?.EventManager;
}
