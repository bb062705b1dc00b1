/**
 * docs/reliability.md, generated from the last full soak run (reliability/results/soak.json) and
 * the last full chaos run (reliability/results/chaos.json). Either script rewrites the whole page
 * after a full run, keeping the other's section from its own file. Run alone, it regenerates the
 * page from those files: `node --import tsx reliability/report.ts`.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { AttackResult } from "./attack";
import type { ChaosResult, GroupResult, ScenarioResult } from "./chaos";
import { median } from "../bench/stats";
import { formatCounts, mb, ROOT, type RunHeader } from "./common";
import { FLAT_MB_PER_MIN } from "./memory";
import type { SoakResult } from "./soak";

interface Table {
  headers: string[];
  rows: (string | number)[][];
  /** Columns (by index) aligned right. @default every column but the first */
  right?: number[];
}

function table({ headers, rows, right }: Table): string {
  const escape = (cell: string | number) => String(cell).replaceAll("|", "\\|").replaceAll("\n", " ");
  const align = headers.map((_, index) => ((right ?? headers.map((__, i) => i).slice(1)).includes(index) ? "---:" : "---"));
  return [`| ${headers.map(escape).join(" | ")} |`, `|${align.join("|")}|`, ...rows.map((row) => `| ${row.map(escape).join(" | ")} |`)].join("\n");
}

const int = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "–");
const ms = (value: number) => (Number.isFinite(value) ? `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ms` : "–");
const yes = (ok: boolean) => (ok ? "**yes**" : "**NO**");

function read<T>(name: string): T | undefined {
  const path = join(ROOT, "reliability", "results", name);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as T) : undefined;
}

export function writeReliabilityDoc(): void {
  const soak = read<SoakResult>("soak.json");
  const chaos = read<ChaosResult>("chaos.json");
  const attack = read<AttackResult>("attack.json");
  const lines: string[] = [
    "# Reliability: soak and chaos runs",
    "",
    "Generated from one full run of each script (`reliability/`, see the README's Reliability section); do not edit by hand.",
    "The machine is a shared 2-core VM: other engineers' tests and benchmarks ran at the same time, so the load average is given for every run.",
    "",
    "- [Soak](#soak): the production server for ten minutes under churn, a steady trigger stream, slow clients, requests in flight and a fuzzer.",
    "- [Chaos](#chaos): the server killed, drained, its Redis killed, a client's network cut — each under load, each judged by \"nothing lost silently\".",
    "- [Attack](#attack): every finding of the hostile-network review replayed against the production server, each held or failed with its figures.",
    "",
  ];
  lines.push(...(soak ? soakSection(soak) : ["## Soak", "", "Not run yet: `npm run soak`.", ""]));
  lines.push(...(chaos ? chaosSection(chaos) : ["## Chaos", "", "Not run yet: `npm run chaos`.", ""]));
  lines.push(...(attack ? attackSection(attack) : ["## Attack", "", "Not run yet: `npm run attack`.", ""]));
  writeFileSync(join(ROOT, "docs", "reliability.md"), `${lines.join("\n").trimEnd()}\n`);
}

// ── soak ───────────────────────────────────────────────────────────────────

function soakSection(result: SoakResult): string[] {
  const { settings, memory, clients } = result;
  const stream = clients.ledgers[settings.streamEvent];
  const wide = clients.ledgers[settings.wideEvent];
  const slowGaps = (stream?.slow.gaps ?? 0) + (wide?.slow.gaps ?? 0);
  const slowMissed = (stream?.slow.gapMissed ?? 0) + (wide?.slow.gapMissed ?? 0);
  const silent = Object.values(clients.ledgers).reduce((sum, byKind) => sum + byKind.reading.silent + byKind.slow.silent, 0);
  const triggerFailures = result.triggers.reduce((sum, t) => sum + Object.values(t.failed).reduce((a, b) => a + b, 0), 0);
  const requestFailures = Object.values(clients.requests.failed).reduce((a, b) => a + b, 0);
  const lines = [
    "## Soak",
    "",
    `- Command: \`${result.command}\` (\`node --import tsx reliability/soak.ts\`); it ran ${(result.durationS / 60).toFixed(1)} min of load.`,
    ...runLines(result),
    `- Server: \`server.ts\` against the production build (\`test/support/app-server.ts\`), with ${Object.entries(settings.env).map(([key, value]) => `\`${key}=${value}\``).join(", ")}; every other setting at its default (queue 5, \`drop-oldest\`, history 100, heartbeat 30 s).`,
    "",
    "### The load",
    "",
    table({
      headers: ["part", "what it does"],
      right: [],
      rows: [
        ["churning clients", `${int(settings.clients)} slots in one child process, each holding one connection at a time that lives 2–40 s (uniform) and is then replaced: ${int(clients.connections)} connections over the run. Every one subscribes to \`${settings.wideEvent}\`.`],
        ["the fast stream", `\`${settings.streamEvent}\` triggered at ${int(settings.rate)}/s (two trigger connections, protocol \`trigger\`, pipelined on a 10 ms clock; ~1 KB events, so that a client that stops reading overflows the kernel's socket buffers within seconds). ${settings.streamClients} of the churning slots also subscribe to it.`],
        ["the wide stream", `\`${settings.wideEvent}\` triggered at ${int(settings.wideRate)}/s (one trigger connection), received by all ${int(settings.clients)} clients.`],
        ["slow clients", `${Math.round(settings.slowShare * 100)} % of the sessions stop reading their socket (\`ws.pause()\`) for 1–10 s after every 2–8 s of reading: ${int(clients.pauses)} pauses, ${(clients.pausedMs / 60_000).toFixed(0)} min of not reading in total. Only those on the fast stream fill their buffers (on loopback the kernel holds several MB per socket).`],
        [
          "requests in flight",
          `${settings.requests} \`request\`s of \`${settings.query}\` kept in flight on two connections (each slot waits 0–100 ms between requests), timeout 5 s.${result.queryAvailable ? "" : " The build had no public query (`report:summary` is declared in events/reports.ts, which this build's events/index.ts did not import), so the request connections became monitor sessions and asked the internal `model:count`; they also received a trace of every trigger."}`,
        ],
        ["fuzzer", `one connection sending ${settings.fuzzPerSecond} frames/s drawn from fast-check samples (random text, random JSON, op-shaped objects with random fields, triggers with random payloads, arrays and objects nested 1,000–30,000 deep, binary frames, invalid UTF-8, frames over 64 KiB), reconnecting whenever it is closed.`],
      ],
    }),
    "",
    "Why two streams: every client on the 1,000/s stream would be 1,000,000 deliveries a second, several times what this 2-core machine can write and read at once (docs/benchmarks.md: about 200–300k deliveries/s in a flood with the machine to itself). So the 1,000/s stream reaches a subset, and the wide stream reaches all 1,000 clients.",
    "",
    "### Verdict",
    "",
    table({
      headers: ["must", "measured", "met"],
      right: [],
      rows: [
        [
          `server RSS and heap flat after warm-up (slope of the samples taken right after a forced full GC ≤ ${FLAT_MB_PER_MIN} MB/min; a slope that cannot be computed, too few samples after warm-up, fails)`,
          `${memory.reason ? `${memory.reason}: ` : ""}heap used ${mb(memory.heapUsed.gcFirst)} → ${mb(memory.heapUsed.gcLast)} (${slopeText(memory.heapUsed.gcSlopeMbPerMin)}); RSS ${mb(memory.rss.gcFirst)} → ${mb(memory.rss.gcLast)} (${slopeText(memory.rss.gcSlopeMbPerMin)})`,
          yes(memory.flat),
        ],
        ["events lost by clients that kept reading = 0", `${int(result.lostByReadingClients)} of ${int((stream?.reading.owed ?? 0) + (wide?.reading.owed ?? 0))} owed`, yes(result.lostByReadingClients === 0)],
        ["slow clients told of every loss (gaps)", `${int(slowGaps)} gaps, ${int(slowMissed)} events reported missed; ${int(silent)} lost without a gap`, yes(silent === 0)],
        ["triggers at 1,000/s", result.triggers.map((t) => `${t.event}: ${int(t.perSecond)}/s acked`).join("; "), yes((result.triggers.find((t) => t.event === settings.streamEvent)?.perSecond ?? 0) >= settings.rate * 0.95)],
        ["errors", `triggers failed: ${int(triggerFailures)}; requests failed: ${int(requestFailures)} (${formatCounts(clients.requests.failed)}); unexpected closes: ${formatCounts(clients.unexpectedCloses)}`, yes(triggerFailures === 0 && requestFailures === 0)],
      ],
    }),
    "",
    "### Server memory",
    "",
    "![Server RSS and heap during the soak](reliability-soak.svg)",
    "",
    `Sampled from \`/metrics\` (\`wf_events_process_resident_memory_bytes\`, \`wf_events_nodejs_heap_size_used_bytes\`, \`…_total_bytes\`, \`wf_events_nodejs_external_memory_bytes\`) every ${Math.round(result.durationS / Math.max(1, plainSamples(result).length))} s or so: ${plainSamples(result).length} samples. Warm-up: the first ${Math.round(result.warmUpS)} s (the clients ramp up over 10 s, and V8 lets the heap grow for a minute or so before its first major collections). Under this load V8's heap is a sawtooth — it grows for a minute or two, then a major collection takes it back down, and RSS follows — so a slope over every sample depends on where the peaks fall. The server therefore runs with \`NODE_OPTIONS=--inspect=127.0.0.1:0 --expose-gc\`, and every 30 s the soak evaluates \`gc(); process.memoryUsage()\` in it through the inspector (one synchronous expression: nothing is allocated in between) — the dots: that is the live heap, and its slope after warm-up is the verdict.`,
    "",
    table({
      headers: ["", "start", "after warm-up", "end", "max", "after forced GCs (after warm-up): first → last", "slope of those", "slope of every sample after warm-up"],
      rows: (["rss", "heapUsed"] as const).map((key) => {
        const figures = memory[key];
        return [
          key === "rss" ? "RSS" : "heap used",
          mb(figures.start),
          mb(figures.afterWarmUp),
          mb(figures.end),
          mb(figures.max),
          `${mb(figures.gcFirst)} → ${mb(figures.gcLast)} (${figures.gcSamples} samples)`,
          slopeText(figures.gcSlopeMbPerMin),
          slopeText(figures.slopeMbPerMin),
        ];
      }),
    }),
    "",
    `Server CPU over the run: ${cpuLine(result)}; open connections during the load: ${connectionsLine(result)}; event-loop lag p99 (prom-client's, per sample): median ${ms(median(plainSamples(result).map((s) => s.lagP99 * 1_000).filter(Number.isFinite)))}, max ${ms(Math.max(...plainSamples(result).map((s) => s.lagP99 * 1_000).filter(Number.isFinite)))}.`,
    "",
    "### Deliveries and losses",
    "",
    "Each session keeps a ledger per subscription: its subscribe's `last` is where it starts; before it leaves it subscribes again, and that `ok`'s `last` is where it ends; it then waits for everything up to it. Seqs are contiguous per event name, and one connection gets one name's live events in id order, so every id in between that never arrived is a hole. Under `drop-oldest` the server sends a `gap` before the queued events that survived, so the events it counts lie between the last event before it and the first after it: \"lost silently\" counts the holes that the gaps received since the previous event did not pay for, and \"over-announced\" the gap counts left over (mostly drops of events past the session's end, after its closing re-subscribe).",
    "",
    table({
      headers: ["event", "sessions", "kind", "owed", "received", "missing", "gaps (missed)", "lost silently", "over-announced", "duplicates"],
      right: [1, 3, 4, 5, 6, 7, 8, 9],
      rows: Object.entries(clients.ledgers).flatMap(([event, byKind]) =>
        (["reading", "slow"] as const).map((kind) => {
          const t = byKind[kind];
          return [`\`${event}\``, int(t.sessions), kind === "reading" ? "kept reading" : "slow (paused)", int(t.owed), int(t.received), int(t.holes), `${int(t.gaps)} (${int(t.gapMissed)}${t.gapUnknown ? `, ${t.gapUnknown} unknown` : ""})`, int(t.silent), int(t.overReported), int(t.duplicates)];
        }),
      ),
    }),
    "",
    ...(clients.silentSessions.length ? ["Sessions with silent losses (first few):", "", "```json", JSON.stringify(clients.silentSessions, null, 1), "```", ""] : []),
    "### Triggers, requests, connections",
    "",
    table({
      headers: ["stream", "target", "acked", "rate acked", "failed", "skipped (too many in flight)", "ack p50", "ack p99"],
      rows: result.triggers.map((t) => [`\`${t.event}\``, `${int(t.target)}/s`, int(t.acked), `${int(t.perSecond)}/s`, formatCounts(t.failed), int(t.skipped), ms(t.p50), ms(t.p99)]),
    }),
    "",
    `- Requests (\`${settings.query}\`): ${int(clients.requests.sent)} sent, ${int(clients.requests.ok)} answered, failed: ${formatCounts(clients.requests.failed)}; latency p50 ${ms(clients.requests.p50)}, p99 ${ms(clients.requests.p99)}; request connections re-opened: ${clients.requests.reconnects}.`,
    `- Connections made by the churning clients: ${int(clients.connections)}; failed to connect: ${formatCounts(clients.connectFailures)}; closed by the server mid-session: ${formatCounts(clients.unexpectedCloses)}; sessions whose closing re-subscribe went unanswered: ${clients.settleUnanswered}.`,
    `- Frames no ledger or op expected: ${int(clients.untrackedFrames)}; errors without a ref sent to the clients: ${formatCounts(clients.refusals)}.`,
    "",
    "### The fuzzer",
    "",
    `${int(clients.fuzz.frames)} frames over ${int(clients.fuzz.connections)} connections. The server's answers: ${formatCounts(clients.fuzz.replies)}. How its connections were closed: ${formatCounts(clients.fuzz.closes)} (4000: more than 10 unreadable frames in 60 s; 1007: invalid UTF-8; 1009: a frame over \`EVENTS_MAX_PAYLOAD\`; 1005/1000: closed by the fuzzer at the end).`,
    "",
    table({ headers: ["frames sent, by kind", "count"], rows: Object.entries(clients.fuzz.byLabel).sort((a, b) => b[1] - a[1]).map(([label, count]) => [label, int(count)]) }),
    "",
    "### The server's log and /metrics",
    "",
    `${int(result.serverLines)} log lines (JSON, pino; mostly the \`model:created\` handler's info line per event). Warnings and errors: ${result.serverLog.length === 0 ? "none." : ""}`,
    "",
    ...(result.serverLog.length ? [table({ headers: ["level", "message", "count"], right: [2], rows: result.serverLog.map((entry) => [entry.level, entry.message, int(entry.count)]) }), ""] : []),
    `The server exited with code ${result.serverExit} on SIGTERM at the end.`,
    "",
    "<details><summary>The bus's and transport's series in <code>/metrics</code> at the end of the run</summary>",
    "",
    table({ headers: ["series", "value"], rows: result.metricsEnd.map((entry) => [`\`${entry.series}\``, int(entry.value)]) }),
    "",
    "</details>",
    "",
  ];
  return lines;
}

function plainSamples(result: SoakResult): SoakResult["samples"] {
  return result.samples.filter((s) => !s.afterGc);
}

function slopeText(mbPerMin: number): string {
  return Number.isFinite(mbPerMin) ? `${mbPerMin >= 0 ? "+" : ""}${mbPerMin.toFixed(2)} MB/min` : "–";
}

function connectionsLine(result: SoakResult): string {
  const during = plainSamples(result).filter((s) => s.t >= 15 && s.t <= result.durationS - 30).map((s) => s.connections).filter(Number.isFinite);
  return during.length ? `${int(Math.min(...during))}–${int(Math.max(...during))} (median ${int(median(during))})` : "–";
}

function cpuLine(result: SoakResult): string {
  const first = plainSamples(result)[0];
  const last = plainSamples(result).at(-1);
  if (!first || !last || last.t <= first.t) return "–";
  return `${(((last.cpu - first.cpu) / (last.t - first.t)) * 100).toFixed(0)} % of one core on average`;
}

/** Date, machine, load and versions of a run. */
function runLines(run: RunHeader): string[] {
  return [`- Date: ${run.date}`, `- Machine: ${run.machine}`, `- Load (\`uptime\`) at the start: \`${run.loadStart}\``, `- Load at the end: \`${run.loadEnd}\``, `- Versions: ${run.versions}`];
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
    `- Command: \`${result.command}\` (\`node --import tsx reliability/chaos.ts\`; one scenario: \`npm run chaos -- --only <kill|kill-redis|term|redis|cut>\`); it took ${Math.round(result.durationS)} s.`,
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
  console.log("Wrote docs/reliability.md from reliability/results/soak.json and chaos.json.");
}
