/**
 * docs/reliability.md, generated from the last full soak runs (reliability/results/soak.json, and
 * soak-redis.json for the one on Redis), the last full chaos run (chaos.json) and the last attack
 * run (attack.json). Each script rewrites the whole page after a full run, keeping the others'
 * sections from their files. Run alone, it regenerates the page from those files:
 * `node --import tsx reliability/report.ts`.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { AttackResult } from "./attack";
import type { ChaosResult, GroupResult, ScenarioResult } from "./chaos";
import { CHAOS_SCENARIOS as SCENARIOS } from "./chaos-scenarios";
import { formatCounts, ROOT } from "./common";
import { int, ms, runLines, table, yes } from "./markdown";
import { soakSections } from "./report-soak";
import type { SoakRedisResult, SoakResult } from "./soak";

function read<T>(name: string): T | undefined {
  const path = join(ROOT, "reliability", "results", name);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as T) : undefined;
}

export function writeReliabilityDoc(): void {
  const soak = read<SoakResult>("soak.json");
  const soakOnRedis = read<SoakRedisResult>("soak-redis.json");
  const chaos = read<ChaosResult>("chaos.json");
  const attack = read<AttackResult>("attack.json");
  const lines: string[] = [
    "# Reliability: soak and chaos runs",
    "",
    "Generated from one full run of each script (`reliability/`, see the README's Reliability section); do not edit by hand.",
    "The machine is a shared 2-core VM: other engineers' tests and benchmarks ran at the same time, so the load average is given for every run.",
    "",
    `- [Soak](#soak): the production server for ten minutes under churn, a steady trigger stream, slow clients, requests in flight and a fuzzer${soakOnRedis ? "; and the same [on Redis, with two instances](#soak-on-redis-two-instances)" : ""}.`,
    "- [Chaos](#chaos): the server killed, drained, its Redis killed, a client's network cut — each under load, each judged by \"nothing lost silently\".",
    "- [Attack](#attack): every finding of the hostile-network review replayed against the production server, each held or failed with its figures.",
    "",
  ];
  lines.push(...soakSections(soak, soakOnRedis));
  lines.push(...(chaos ? chaosSection(chaos) : ["## Chaos", "", "Not run yet: `npm run chaos`.", ""]));
  lines.push(...(attack ? attackSection(attack) : ["## Attack", "", "Not run yet: `npm run attack`.", ""]));
  writeFileSync(join(ROOT, "docs", "reliability.md"), `${lines.join("\n").trimEnd()}\n`);
}

// ── attack ─────────────────────────────────────────────────────────────────

function attackSection(result: AttackResult): string[] {
  const held = result.findings.filter((finding) => finding.held).length;
  const sizes = result.sizes;
  return [
    "## Attack",
    "",
    `- Command: \`${result.command}\` (\`node --import tsx reliability/attack.ts\`; \`--short\` is what \`npm test\` runs, in \`test/integration/attack.test.ts\`); it took ${result.durationS} s.`,
    ...runLines(result),
    "- Servers: `server.ts` against the production build with its defaults (a development server for finding 5), each attack on servers of its own. Clients are this machine's loopback addresses (127.0.0.0/8): one address plays one anonymous client, several play several.",
    `- Sizes: ${int(sizes.upgrades)} stray upgrades, ${int(sizes.webSockets)} WebSockets from one address, a ${sizes.bodyMB} MB body and ${sizes.bigBodies} × ${sizes.bigBodyMB} MB at once, ${int(sizes.subscribers)} subscribers under a ${sizes.floodSeconds} s flood, ${int(sizes.wrongTokens)} wrong tokens, ${int(sizes.refusedOrigins)} refused upgrades with 8 KB origins, ${int(sizes.traces)} traces under a 40-star filter.`,
    "",
    `**${held} of ${result.findings.length} held.**`,
    "",
    table({
      headers: ["finding", "held", "figures"],
      right: [],
      rows: result.findings.map((finding) => [
        `${finding.id}. ${finding.title}`,
        yes(finding.held),
        [...Object.entries(finding.figures).map(([label, value]) => `${label}: ${value}`), ...finding.failures.map((failure) => `✗ ${failure}`)].join("; "),
      ]),
    }),
    "",
  ];
}

// ── chaos ──────────────────────────────────────────────────────────────────

function chaosSection(result: ChaosResult): string[] {
  const lines = [
    "## Chaos",
    "",
    `- Command: \`${result.command}\` (\`node --import tsx reliability/chaos.ts\`; one scenario: \`npm run chaos -- --only <${SCENARIOS.join("|")}>\`); it took ${Math.round(result.durationS)} s${result.scenarios.some((scenario) => scenario.run) ? " (scenarios marked *run on its own* were run separately and merged in)" : ""}.`,
    ...runLines(result),
    `- Servers: \`server.ts\` against the production build, with ${Object.entries(result.settings.env).map(([key, value]) => `\`${key}=${value}\``).join(", ")}.`,
    `- In every scenario: ${result.settings.readers} readers (Node \`EventManager\`s over \`ws\`, each its own connection, subscribed to \`model:created\`, recording every id, gap, state change and — through a tap on the socket — every resubscribe's \`recovered\`), ${result.settings.rate} triggers/s (protocol \`trigger\` through \`EventManager.trigger\`, every acked id recorded) and ${result.settings.requestSlots} \`${result.settings.query}\` requests kept in flight${result.settings.requestsAsMonitor ? " (from monitor sessions: this build declared no public query)" : ""}, each with a 5 s timeout. Load runs 3 s before the fault and 4 s after every reader is back. The clients' timeout is 10 s: an op issued while disconnected waits for the reconnect that long, then fails with \`timeout\` without having been sent.`,
    "",
    "**Nothing lost silently** means: for every reader, every acked event id was received, or lies in the window of a gap the reader was told about — a gap covers only the loss it answers, never every earlier one (`reliability/verdict.ts`, specified by `verdict.test.ts`). The windows come from the reader's log (subscribe answers, ids and gaps in the order its socket delivered them): a `history` gap right after the `ok` of a resubscribe (one with `since`) covers the events after the last id the reader received before that connection was established, up to and including the `ok`'s `last`; an `overflow` gap covers the events dropped between the last one received before it and the first one after it on the same connection; the Redis adapter's `history` gap on a live connection covers what the cluster could not deliver since that connection's `ok` (or its previous such gap), up to the first event after it. Ids are compared by seq within one history; an event of a history neither end of a window belongs to is in it when it was acked between the two. A gap with `missed: null` covers every missing event of its window, a counted gap at most that many, earliest acked first. A missing event outside every window is lost silently. \"Replayed\" counts event frames that came as the replay of a resubscribe (after its `ok`, with ids up to its `last`).",
    "",
    table({
      headers: ["scenario", "missing (all readers)", "replayed", "gaps (missed: null / counted)", "resubscribes recovered", "requests failed around the fault", "lost silently", "verdict"],
      right: [1, 2, 6],
      rows: result.scenarios.map((scenario) => {
        const sum = (pick: (group: GroupResult) => number) => scenario.groups.reduce((total, group) => total + pick(group), 0);
        const failedRequests: Record<string, number> = {};
        for (const requester of scenario.requests) for (const [code, count] of Object.entries(requester.failedAroundFault)) failedRequests[code] = (failedRequests[code] ?? 0) + count;
        return [
          scenario.title,
          int(sum((g) => g.missing)),
          int(sum((g) => g.replayed)),
          `${int(sum((g) => g.gaps))} (${int(sum((g) => g.gapsUnknown))} / ${int(sum((g) => g.gaps - g.gapsUnknown))}: ${int(sum((g) => g.gapMissed))} events)`,
          `${int(sum((g) => g.recovered))} true, ${int(sum((g) => g.notRecovered))} false`,
          formatCounts(failedRequests),
          int(scenario.silent),
          scenario.error ? `**did not run: ${scenario.error}**` : scenario.silent === 0 ? "nothing lost silently" : "**events lost silently**",
        ];
      }),
    }),
    "",
    ...FOUND_AND_FIXED,
  ];
  for (const scenario of result.scenarios) lines.push(...scenarioSection(scenario));
  return lines;
}

/** What earlier chaos runs found that lost events silently; each is fixed and kept fixed by a test. */
const FOUND_AND_FIXED = [
  "### Found by an earlier run, and fixed",
  "",
  "An earlier run of scenario 4 (Redis killed and restarted under two instances) lost 2,520 events silently on the readers of the instance that rejoined second: (1) the other instance announced the events it had delivered alone during the outage on pub/sub only, before this one was listening again; (2) events published through the restarted (empty) Redis before this one re-subscribed were never fetched, because the adapter only fetched after a jump from a known sequence number. Both fixed in the Redis adapter: an instance back from an outage *reserves* sequence numbers for what it delivered alone, so the hole lives in the shared history and every instance (and every browser replaying with `since`) counts it as missed whenever it reads across it; an instance notes where every name stands before it first listens and, after any reconnect, fetches from that point — from 0 in a history Redis started anew. The same work fixed a duplicate delivery when a catch-up raced the live message. Tests: `lib/events/adapters/redis/redis-adapter.test.ts` (\"tell an instance that rejoins after Redis lost its data…\", \"deliver each event once when a catch-up and the live message race\").",
  "",
];

function scenarioSection(scenario: ScenarioResult): string[] {
  const lines = [
    `### ${scenario.title}`,
    "",
    `Command: \`npm run chaos -- --only ${scenario.key}\`. ${scenario.fault}`,
    "",
    ...(scenario.run
      ? [
          `Run on its own (\`${scenario.run.command}\`, merged into the full run's results) on ${scenario.run.date}${scenario.run.durationS === undefined ? "" : `, in ${Math.round(scenario.run.durationS)} s`}; load at the start: \`${scenario.run.loadStart}\`${scenario.run.loadEnd === undefined ? "" : `, at the end: \`${scenario.run.loadEnd}\``}.`,
          "",
        ]
      : []),
    `Expected: ${scenario.expectation}`,
    "",
  ];
  if (scenario.error) lines.push(`**The scenario did not complete: ${scenario.error}.**`, "");
  lines.push(
    table({
      headers: ["readers", "acked (owed to each)", "received (sum)", "missing (sum)", "replayed (sum)", "duplicates dropped", "gaps: missed null / counted (events)", "resubscribes: recovered true / false", "connection closed by", "back after the fault (p50 / max)", "missing covered by gaps", "lost silently"],
      right: [1, 2, 3, 4, 5, 11],
      rows: scenario.groups.map((g) => [
        `${g.group} (${g.readers})`,
        int(g.expectedEach),
        int(g.received),
        int(g.missing),
        int(g.replayed),
        int(g.duplicatesDropped),
        `${int(g.gapsUnknown)} / ${int(g.gaps - g.gapsUnknown)} (${int(g.gapMissed)})${Object.keys(g.gapReasons).length ? ` — ${formatCounts(g.gapReasons)}` : ""}`,
        `${int(g.recovered)} / ${int(g.notRecovered)}`,
        `${formatCounts(g.closeCodes)}${g.failedAttempts ? ` (+${int(g.failedAttempts)} failed reconnect attempts)` : ""}`,
        g.reconnectMs ? `${ms(g.reconnectMs.p50)} / ${ms(g.reconnectMs.max)}` : "stayed connected",
        `${int(g.coveredByUnknownGap + g.coveredByCountedGap)}${g.overReported ? ` (gaps over-reported by ${int(g.overReported)})` : ""}`,
        int(g.silent),
      ]),
    }),
    "",
    table({
      headers: ["trigger stream", "sent", "acked", "failed (by error)"],
      right: [1, 2],
      rows: scenario.triggers.map((t) => [t.label, int(t.sent), int(t.acked), formatCounts(t.failures)]),
    }),
    "",
    table({
      headers: ["requests", "outcomes over the scenario", "failures sent from 5 s before the fault until 1 s after recovery"],
      right: [],
      rows: scenario.requests.map((r) => [r.label, formatCounts(r.total), formatCounts(r.failedAroundFault)]),
    }),
    "",
  );
  for (const group of scenario.groups.filter((g) => g.silent > 0)) {
    const kinds = Object.entries(group.silentByHistory).map(([history, count]) =>
      history.endsWith("~local")
        ? `${int(count)} with ids of \`${history}\` — events the other instance delivered only to its own clients while it could not reach Redis, and no gap ever told these readers`
        : `${int(count)} with ids of \`${history}\` — events published through Redis that never reached these readers, and no gap told them`,
    );
    lines.push(`**Lost silently by the readers ${group.group}: ${int(group.silent)}** (${group.readers} readers): ${kinds.join("; ")}. First ids: ${group.silentSamples.map((sample) => `${sample.reader}: ${sample.ids.map((id) => `\`${id.id}\``).join(", ")}`).join("; ")}.`, "");
  }
  const histories = scenario.groups.flatMap((group) => Object.keys(group.silentByHistory));
  if (scenario.key === "redis" && histories.length > 0) {
    lines.push("Why (the Redis adapter, `lib/events/adapters/redis/redis-adapter.ts`; the faults test of `redis-adapter.test.ts` reproduces both deterministically):", "");
    if (histories.some((history) => history.endsWith("~local"))) {
      lines.push(
        "- *`~local` ids*: while Redis was away, each instance delivered its own events to its own clients and counted them as unshared. When Redis came back, each announced its count once, as a `G` message on the pub/sub channel (`#announceUnshared`), as soon as it had re-subscribed itself. Pub/sub keeps nothing: an instance that re-subscribed a moment later never got the other's notice, so its clients were never told.",
      );
    }
    if (histories.some((history) => !history.endsWith("~local"))) {
      lines.push(
        "- *ids of the new Redis history*: Redis came back empty, so the adapter adopted a new history (`#adoptEpoch` clears `#lastSeen`, and `#catchUp` returns on an epoch change). Events the other instance published through the new Redis before this one re-subscribed are in the stream, but nothing fetches them: only a seq jump after a known seq does.",
      );
    }
    lines.push("");
  }
  lines.push(
    "Server processes: " + scenario.servers.map((server) => `${server.label} — ${server.exit === "killed" ? "killed (SIGKILL)" : `exit ${server.exit}`}`).join("; ") + ".",
    "",
  );
  const counters = scenario.servers.filter((server) => server.counters.length > 0);
  if (counters.length) {
    lines.push(
      "Their counters at the end (`/metrics`): " + counters.map((server) => `${server.label}: ${server.counters.filter((c) => c.value > 0).map((c) => `\`${c.series}\` ${int(c.value)}`).join(", ")}`).join("; ") + ".",
      "",
    );
  }
  for (const observation of scenario.observations) lines.push(`- ${observation}`);
  if (scenario.log.length) lines.push(`- Server warnings and errors: ${scenario.log.map((entry) => `${entry.level} ×${entry.count} "${entry.message}"`).join("; ")}.`);
  lines.push(`- Timeline: ${scenario.timeline.map((entry) => `${entry.t.toFixed(1)} s ${entry.what}`).join("; ")}.`, "");
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeReliabilityDoc();
  console.log("Wrote docs/reliability.md from the files in reliability/results/.");
}
