import { fireOnce, type DashboardClient, type FireKind, type FireOutcome } from "@/lib/dashboard/fire";
import type { EventManager } from "@/lib/events/client";
import { CliError } from "./exit";
import type { Payload } from "./payload";

/**
 * Fires as the dashboard's Fire panel does (lib/dashboard/fire.ts: the same parsing, timing and
 * outcome), through this session's EventManager. A failure is the server's error, thrown.
 */
export async function fire(events: EventManager, kind: FireKind, name: string, payload: Payload, options: { timeout?: number } = {}): Promise<Extract<FireOutcome, { ok: true }>> {
  const client: DashboardClient = {
    trigger: (event, data) => events.trigger(event, data),
    request: (query, data) => events.request(query, data, options.timeout === undefined ? {} : { timeout: options.timeout }),
  };
  const outcome = await fireOnce(client, kind, name, payload.text, () => performance.now());
  if (!outcome.ok) throw new CliError(outcome.code, outcome.message);
  return outcome;
}
