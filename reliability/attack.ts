/**
 * `npm run attack`: every finding of the hostile-network review (issue 10) replayed against the
 * production server, with bounded loops, each printing held or failed with its figures. A full
 * run writes its section of docs/reliability.md and reliability/results/attack.json; `--short`
 * is the version `npm test` runs (test/integration/attack.test.ts).
 *
 *   npm run attack                          # every attack at the review's sizes (~2 min)
 *   npm run attack -- --short               # smaller loops (~1 min)
 *   npm run attack -- --only upgrades,logs  # some: upgrades, connections, bodies, triggers, rebinding, sign-in, logs, dashboard, headers
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ATTACKS, runAttacks, type AttackName } from "./attack/run";
import { FULL, SHORT, type Finding } from "./attack/kit";
import { machine, machineLoad, packageVersion, parseFlags, requireBuild, ROOT, type RunHeader } from "./common";
import { writeReliabilityDoc } from "./report";

export interface AttackResult extends RunHeader {
  short: boolean;
  sizes: typeof FULL;
  findings: Finding[];
}

const USAGE = "Usage: npm run attack [-- --short] [--only upgrades,connections,bodies,triggers,rebinding,sign-in,logs,dashboard,headers] [--write]";
const flags = parseFlags(process.argv.slice(2), { short: "boolean", only: "string", write: "boolean" }, USAGE);
const only = typeof flags.only === "string" ? (flags.only.split(",") as AttackName[]) : undefined;
for (const name of only ?? []) {
  if (!(name in ATTACKS)) {
    console.error(`Unknown attack ${name}\n${USAGE}`);
    process.exit(2);
  }
}
requireBuild();
const short = flags.short === true;
const toDocs = (!short && !only) || flags.write === true;
const command = `npm run attack${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;

const loadStart = machineLoad().uptime;
console.log(`Attack: ${short ? "short" : "full"} — ${machine()}\n  ${loadStart}`);
const started = Date.now();
const findings = await runAttacks({ short, only, progress: (line) => console.log(`  ${line}`) });
const result: AttackResult = {
  command,
  date: new Date(started).toISOString().replace("T", " ").slice(0, 16) + " UTC",
  machine: machine(),
  versions: ["next", "ws", "ioredis"].map((name) => `${name} ${packageVersion(name)}`).join(", "),
  loadStart,
  loadEnd: machineLoad().uptime,
  durationS: Math.round((Date.now() - started) / 1_000),
  short,
  sizes: short ? SHORT : FULL,
  findings,
};

console.log("");
for (const finding of findings) {
  console.log(`${finding.held ? "held  " : "FAILED"} ${finding.id}. ${finding.title}`);
  for (const [label, value] of Object.entries(finding.figures)) console.log(`         ${label}: ${value}`);
  for (const failure of finding.failures) console.log(`         ✗ ${failure}`);
}
const failed = findings.filter((finding) => !finding.held).length;
console.log(`\n${findings.length - failed} of ${findings.length} held (${result.durationS} s).`);
if (toDocs) {
  mkdirSync(join(ROOT, "reliability", "results"), { recursive: true });
  writeFileSync(join(ROOT, "reliability", "results", "attack.json"), `${JSON.stringify(result, null, 1)}\n`);
  writeReliabilityDoc();
  console.log("Wrote docs/reliability.md and reliability/results/attack.json.");
}
process.exitCode = failed === 0 ? 0 : 1;
