import type { Page } from "@playwright/test";
import type { EventManager, Gap } from "../lib/events/client";

/** What the injected client puts on every page. */
declare global {
  interface Window {
    wf: { ext: { events: { EventManager: typeof EventManager } } };
    /** Test probes: filled by `listenOnPage`. */
    probe: { received: unknown[]; gaps: Gap[]; states: string[]; manager: EventManager };
  }
}

/**
 * Runs the seed's browser snippet on the page: a manager from the injected client subscribes to
 * `name` and records what its handler sees, the gaps it is told about and its connection states.
 */
export async function listenOnPage(page: Page, name: string): Promise<void> {
  await page.evaluate(async (eventName) => {
    const manager = new window.wf.ext.events.EventManager();
    const probe = { received: [] as unknown[], gaps: [] as Gap[], states: [] as string[], manager };
    window.probe = probe;
    manager.onStateChange((state) => probe.states.push(state));
    await manager.subscribe(eventName, { onGap: (gap) => probe.gaps.push(gap) });
    manager.registerHandler(eventName, (data) => {
      probe.received.push(data);
    });
  }, name);
}

export const received = (page: Page) => page.evaluate(() => window.probe.received);
export const gaps = (page: Page) => page.evaluate(() => window.probe.gaps);
export const connectionState = (page: Page) => page.evaluate(() => window.probe.manager.state);
