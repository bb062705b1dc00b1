import type { EventManager } from "@/lib/events/client";

// What the injected `events.js` puts on every page (the same declaration as e2e/page-events.ts,
// which the compiler merges): lets the demo use the seed's snippet as written.
declare global {
  interface Window {
    wf: { ext: { events: { EventManager: typeof EventManager } } };
  }
}

export {};
