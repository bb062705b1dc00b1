import { describe, expect, it } from "vitest";
import { ATTACKS, runAttacks, type AttackName } from "@/reliability/attack/run";

/**
 * The short version of `npm run attack`: every finding of the hostile-network review replayed
 * against the production server with smaller loops, each of which must hold.
 */
describe("the hostile-network review, replayed (npm run attack -- --short)", () => {
  it.each(Object.keys(ATTACKS) as AttackName[])("holds against: %s", async (name) => {
    const findings = await runAttacks({ short: true, only: [name] });
    const report = findings.map((finding) => `${finding.id}. ${finding.title}: ${JSON.stringify(finding.figures)}${finding.failures.map((failure) => `\n  ✗ ${failure}`).join("")}`).join("\n");
    expect(findings.length, report).toBeGreaterThan(0);
    expect(findings.filter((finding) => !finding.held), report).toEqual([]);
  }, 240_000);
});
