/**
 * Runs the attacks in the review's order, each against servers of its own (stopped at the end,
 * whatever happens), and returns one finding per attack.
 */
import { startAppServer, type AppServer } from "../../test/support/app-server";
import { bigBodies } from "./bodies";
import { connectionFlood } from "./connections";
import { dashboardInputs } from "./dashboard";
import { securityHeaders } from "./headers";
import { FULL, SHORT, type AttackContext, type Finding } from "./kit";
import { publicTriggerFlood } from "./amplification";
import { dnsRebinding } from "./rebinding";
import { signInAndSessions } from "./sign-in";
import { logAmplification, strayUpgrades } from "./upgrades";

export const ATTACKS = {
  upgrades: strayUpgrades,
  connections: connectionFlood,
  bodies: bigBodies,
  triggers: publicTriggerFlood,
  rebinding: dnsRebinding,
  "sign-in": signInAndSessions,
  logs: logAmplification,
  dashboard: dashboardInputs,
  headers: securityHeaders,
} satisfies Record<string, (context: AttackContext) => Promise<Finding | Finding[]>>;

export type AttackName = keyof typeof ATTACKS;

export interface RunOptions {
  short: boolean;
  only?: readonly AttackName[];
  /** Told about each attack as it starts and ends. */
  progress?: (line: string) => void;
}

export async function runAttacks(options: RunOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  const say = options.progress ?? (() => {});
  for (const [name, attack] of Object.entries(ATTACKS) as [AttackName, (context: AttackContext) => Promise<Finding | Finding[]>][]) {
    if (options.only && !options.only.includes(name)) continue;
    const servers: AppServer[] = [];
    const context: AttackContext = {
      sizes: options.short ? SHORT : FULL,
      note: say,
      async server(start = {}) {
        const server = await startAppServer({ timeoutMs: 120_000, ...start });
        servers.push(server);
        return server;
      },
    };
    say(`${name}…`);
    const started = performance.now();
    try {
      const result = await attack(context);
      findings.push(...(Array.isArray(result) ? result : [result]));
    } catch (error) {
      findings.push({ id: 0, title: `${name}: the attack itself failed`, held: false, figures: {}, failures: [error instanceof Error ? (error.stack ?? error.message) : String(error)] });
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
    say(`${name} done in ${((performance.now() - started) / 1_000).toFixed(1)} s`);
  }
  return findings.sort((a, b) => a.id - b.id);
}
