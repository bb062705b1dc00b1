/**
 * The soak's part of docs/reliability.md: the plain soak (reliability/results/soak.json, one
 * server) and, when it has been run, the soak on Redis (soak-redis.json, two instances) as its own
 * subsection. Both are written by one function; the Redis one says so where the setup differs and
 * gives each instance its own memory verdict, figures and log.
 */
import { median } from "../bench/stats";
import { formatCounts, mb } from "./common";
import { int, ms, runLines, table, yes } from "./markdown";
import { FLAT_MB_PER_MIN } from "./memory";
import type { SoakRedisResult, SoakResult, SoakRun } from "./soak";
import type { MemorySample, ServerRun } from "./soak-servers";

interface Variant {
  redis: boolean;
  /** The section's heading, and the prefix of its subsections' headings. */
  heading: string;
  sub: string;
  chart: string;
}

const PLAIN: Variant = { redis: false, heading: "## Soak", sub: "###", chart: "reliability-soak.svg" };
const ON_REDIS: Variant = { redis: true, heading: "### Soak on Redis, two instances", sub: "####", chart: "reliability-soak-redis.svg" };

/** "## Soak" (or "not run yet"), then the Redis subsection when there is a result for it. */
export function soakSections(soak: SoakResult | undefined, onRedis: SoakRedisResult | undefined): string[] {
  const lines = soak ? soakSection(soak, [serverOf(soak)], PLAIN) : ["## Soak", "", "Not run yet: `npm run soak`.", ""];
  if (onRedis) lines.push(...soakSection(onRedis, onRedis.servers, ON_REDIS));
  return lines;
}

/** The plain soak keeps its server's figures at the top level. */
function serverOf(result: SoakResult): ServerRun {
  const { samples, memory, serverLog, serverLines, serverExit, metricsEnd } = result;
  return { label: "server", env: {}, samples, memory, serverLog, serverLines, serverExit, metricsEnd };
}

function soakSection(result: SoakRun, servers: ServerRun[], v: Variant): string[] {
  const { settings, clients } = result;
  const stream = clients.ledgers[settings.streamEvent];
  const wide = clients.ledgers[settings.wideEvent];
  const slowGaps = (stream?.slow.gaps ?? 0) + (wide?.slow.gaps ?? 0);
  const slowMissed = (stream?.slow.gapMissed ?? 0) + (wide?.slow.gapMissed ?? 0);
  const silent = Object.values(clients.ledgers).reduce((sum, byKind) => sum + byKind.reading.silent + byKind.slow.silent, 0);
  const triggerFailures = result.triggers.reduce((sum, t) => sum + Object.values(t.failed).reduce((a, b) => a + b, 0), 0);
  const requestFailures = Object.values(clients.requests.failed).reduce((a, b) => a + b, 0);
  const env = Object.entries(settings.env).map(([key, value]) => `\`${key}=${value}\``).join(", ");
  const own = (server: ServerRun) => Object.entries(server.env).map(([key, value]) => `\`${key}=${value}\``).join(", ");
  const named = (server: ServerRun, text: string) => (v.redis ? `${server.label}: ${text}` : text);
  const lines = [
    v.heading,
    "",
    ...(v.redis
      ? [
          "The same soak with the Redis adapter: two instances on one private `redis-server`, the churning clients, request connections and trigger connections alternating between them, so that most deliveries cross instances. Losses are judged exactly as above (the ids come from Redis, `<epoch>-<seq>` per name, contiguous across both instances), and each instance's memory on its own.",
          "",
        ]
      : []),
    `- Command: \`${result.command}\` (\`node --import tsx reliability/soak.ts\`); it ran ${(result.durationS / 60).toFixed(1)} min of load.`,
    ...runLines(result),
    v.redis
      ? `- Servers: two instances of \`server.ts\` against the production build (\`test/support/app-server.ts\`, each in its own process group), sharing a private \`redis-server\` (started by the run on a free port, nothing kept on disk) and one SQLite file, with ${env}; ${servers.map((server) => `${server.label} ${own(server) ? `also with ${own(server)}` : "with nothing more"}`).join(", ")} (only a report worker answers \`report:summary\`: the other forwards its requests through Redis); every other setting at its default (queue 5, \`drop-oldest\`, history 100, heartbeat 30 s).`
      : `- Server: \`server.ts\` against the production build (\`test/support/app-server.ts\`), with ${env}; every other setting at its default (queue 5, \`drop-oldest\`, history 100, heartbeat 30 s).`,
    "",
    `${v.sub} The load`,
    "",
    table({
      headers: ["part", "what it does"],
      right: [],
      rows: [
        [
          "churning clients",
          `${int(settings.clients)} slots in one child process, each holding one connection at a time that lives 2–40 s (uniform) and is then replaced: ${int(clients.connections)} connections over the run.${v.redis ? ` Slot i connects to instance ${servers.map((server) => server.label).join(" or ")} by i mod ${servers.length}.` : ""} Every one subscribes to \`${settings.wideEvent}\`.`,
        ],
        [
          "the fast stream",
          `\`${settings.streamEvent}\` triggered at ${int(settings.rate)}/s (two trigger connections${v.redis ? ", one on each instance" : ""}, protocol \`trigger\`, pipelined on a 10 ms clock; ~1 KB events, so that a client that stops reading overflows the kernel's socket buffers within seconds). ${settings.streamClients} of the churning slots also subscribe to it.`,
        ],
        ["the wide stream", `\`${settings.wideEvent}\` triggered at ${int(settings.wideRate)}/s (${v.redis ? "two trigger connections, one on each instance" : "one trigger connection"}), received by all ${int(settings.clients)} clients.`],
        ["slow clients", `${Math.round(settings.slowShare * 100)} % of the sessions stop reading their socket (\`ws.pause()\`) for 1–10 s after every 2–8 s of reading: ${int(clients.pauses)} pauses, ${(clients.pausedMs / 60_000).toFixed(0)} min of not reading in total. Only those on the fast stream fill their buffers (on loopback the kernel holds several MB per socket).`],
        [
          "requests in flight",
          `${settings.requests} \`request\`s of \`${settings.query}\` kept in flight on two connections${v.redis ? ", one on each instance" : ""} (each slot waits 0–100 ms between requests), timeout 5 s.${result.queryAvailable ? "" : " The build had no public query (`report:summary` is declared in events/reports.ts, which this build's events/index.ts did not import), so the request connections became monitor sessions and asked the internal `model:count`; they also received a trace of every trigger."}`,
        ],
        ["fuzzer", `one connection sending ${settings.fuzzPerSecond} frames/s drawn from fast-check samples (random text, random JSON, op-shaped objects with random fields, triggers with random payloads, arrays and objects nested 1,000–30,000 deep, binary frames, invalid UTF-8, frames over 64 KiB), reconnecting whenever it is closed${v.redis ? " (to the other instance each time)" : ""}.`],
      ],
    }),
    "",
    ...(v.redis
      ? []
      : [
          "Why two streams: every client on the 1,000/s stream would be 1,000,000 deliveries a second, several times what this 2-core machine can write and read at once (docs/benchmarks.md: about 200–300k deliveries/s in a flood with the machine to itself). So the 1,000/s stream reaches a subset, and the wide stream reaches all 1,000 clients.",
          "",
        ]),
    `${v.sub} Verdict`,
    "",
    table({
      headers: ["must", "measured", "met"],
      right: [],
      rows: [
        ...servers.map((server) => {
          const { memory } = server;
          return [
            named(server, `server RSS and heap flat after warm-up (slope of the samples taken right after a forced full GC ≤ ${FLAT_MB_PER_MIN} MB/min; a slope that cannot be computed, too few samples after warm-up, fails)`),
            `${memory.reason ? `${memory.reason}: ` : ""}heap used ${mb(memory.heapUsed.gcFirst)} → ${mb(memory.heapUsed.gcLast)} (${slopeText(memory.heapUsed.gcSlopeMbPerMin)}); RSS ${mb(memory.rss.gcFirst)} → ${mb(memory.rss.gcLast)} (${slopeText(memory.rss.gcSlopeMbPerMin)})`,
            yes(memory.flat),
          ];
        }),
        ["events lost by clients that kept reading = 0", `${int(result.lostByReadingClients)} of ${int((stream?.reading.owed ?? 0) + (wide?.reading.owed ?? 0))} owed`, yes(result.lostByReadingClients === 0)],
        ["slow clients told of every loss (gaps)", `${int(slowGaps)} gaps, ${int(slowMissed)} events reported missed; ${int(silent)} lost without a gap`, yes(silent === 0)],
        ["triggers at 1,000/s", result.triggers.map((t) => `${t.event}: ${int(t.perSecond)}/s acked`).join("; "), yes((result.triggers.find((t) => t.event === settings.streamEvent)?.perSecond ?? 0) >= settings.rate * 0.95)],
        ["errors", `triggers failed: ${int(triggerFailures)}; requests failed: ${int(requestFailures)} (${formatCounts(clients.requests.failed)}); unexpected closes: ${formatCounts(clients.unexpectedCloses)}`, yes(triggerFailures === 0 && requestFailures === 0)],
      ],
    }),
    "",
    `${v.sub} Server memory`,
    "",
    v.redis ? `![Both instances' RSS and heap during the soak on Redis](${v.chart})` : `![Server RSS and heap during the soak](${v.chart})`,
    "",
    v.redis
      ? `Sampled from each instance's \`/metrics\` as in the plain soak, every ${Math.round(result.durationS / Math.max(1, plain(servers[0]!.samples).length))} s or so (${servers.map((server) => `${server.label}: ${plain(server.samples).length} samples`).join(", ")}); the same warm-up (the first ${Math.round(result.warmUpS)} s), and the same forced full collection through each instance's inspector every 30 s, one instance after the other (the dots). Each instance is judged on its own.`
      : `Sampled from \`/metrics\` (\`wf_events_process_resident_memory_bytes\`, \`wf_events_nodejs_heap_size_used_bytes\`, \`…_total_bytes\`, \`wf_events_nodejs_external_memory_bytes\`) every ${Math.round(result.durationS / Math.max(1, plain(servers[0]!.samples).length))} s or so: ${plain(servers[0]!.samples).length} samples. Warm-up: the first ${Math.round(result.warmUpS)} s (the clients ramp up over 10 s, and V8 lets the heap grow for a minute or so before its first major collections). Under this load V8's heap is a sawtooth — it grows for a minute or two, then a major collection takes it back down, and RSS follows — so a slope over every sample depends on where the peaks fall. The server therefore runs with \`NODE_OPTIONS=--inspect=127.0.0.1:0 --expose-gc\`, and every 30 s the soak evaluates \`gc(); process.memoryUsage()\` in it through the inspector (one synchronous expression: nothing is allocated in between) — the dots: that is the live heap, and its slope after warm-up is the verdict.`,
    "",
    table({
      headers: ["", "start", "after warm-up", "end", "max", "after forced GCs (after warm-up): first → last", "slope of those", "slope of every sample after warm-up"],
      rows: servers.flatMap((server) =>
        (["rss", "heapUsed"] as const).map((key) => {
          const figures = server.memory[key];
          return [
            named(server, key === "rss" ? "RSS" : "heap used"),
            mb(figures.start),
            mb(figures.afterWarmUp),
            mb(figures.end),
            mb(figures.max),
            `${mb(figures.gcFirst)} → ${mb(figures.gcLast)} (${figures.gcSamples} samples)`,
            slopeText(figures.gcSlopeMbPerMin),
            slopeText(figures.slopeMbPerMin),
          ];
        }),
      ),
    }),
    "",
    ...servers.flatMap((server) => {
      const samples = plain(server.samples);
      const lag = samples.map((s) => s.lagP99 * 1_000).filter(Number.isFinite);
      const text = `CPU over the run: ${cpuLine(samples)}; open connections during the load: ${connectionsLine(samples, result.durationS)}; event-loop lag p99 (prom-client's, per sample): median ${ms(median(lag))}, max ${ms(Math.max(...lag))}.`;
      return [v.redis ? `- ${server.label}: ${text}` : `Server ${text}`];
    }),
    "",
    `${v.sub} Deliveries and losses`,
    "",
    "Each session keeps a ledger per subscription: its subscribe's `last` is where it starts; before it leaves it subscribes again, and that `ok`'s `last` is where it ends; it then waits for everything up to it. Seqs are contiguous per event name, and one connection gets one name's live events in id order, so every id in between that never arrived is a hole. Under `drop-oldest` the server sends a `gap` before the queued events that survived, so the events it counts lie between the last event before it and the first after it: \"lost silently\" counts the holes that the gaps received since the previous event did not pay for, and \"over-announced\" the gap counts left over (mostly drops of events past the session's end, after its closing re-subscribe).",
    "",
    ...(v.redis
      ? [
          `On two instances one connection may get a name's events slightly out of id order: an instance delivers its own events when Redis answers its publish, the other instance's when their pub/sub message arrives, on another socket. So here a seq that arrives after a later one fills the hole it left ("reordered", with how far behind it came; a gap's credit spent on that hole counts as over-announced after all), a session's closing settle waits up to 5 s more for the stragglers of holes no gap paid for, and a gap pays for the unpaid holes up to 1,000 ids before it and after the event that follows it (its drops were taken from a queue in delivery order, not id order). For the same reason an event published just before a session's subscribe read its \`last\` can arrive after the \`ok\`: not owed, counted apart (${int(beforeStart(result))} over the run), not as duplicates.`,
          "",
        ]
      : []),
    table({
      headers: ["event", "sessions", "kind", "owed", "received", "missing", "gaps (missed)", "lost silently", "over-announced", "duplicates", ...(v.redis ? ["reordered"] : [])],
      right: [1, 3, 4, 5, 6, 7, 8, 9, ...(v.redis ? [10] : [])],
      rows: Object.entries(clients.ledgers).flatMap(([event, byKind]) =>
        (["reading", "slow"] as const).map((kind) => {
          const t = byKind[kind];
          const row = [`\`${event}\``, int(t.sessions), kind === "reading" ? "kept reading" : "slow (paused)", int(t.owed), int(t.received), int(t.holes), `${int(t.gaps)} (${int(t.gapMissed)}${t.gapUnknown ? `, ${t.gapUnknown} unknown` : ""})`, int(t.silent), int(t.overReported), int(t.duplicates)];
          return v.redis ? [...row, `${int(t.reordered ?? 0)}${t.reorderedBy ? ` (≤ ${int(t.reorderedBy)} ids behind)` : ""}`] : row;
        }),
      ),
    }),
    "",
    ...(clients.silentSessions.length ? ["Sessions with silent losses (first few):", "", "```json", JSON.stringify(clients.silentSessions, null, 1), "```", ""] : []),
    `${v.sub} Triggers, requests, connections`,
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
    `${v.sub} The fuzzer`,
    "",
    `${int(clients.fuzz.frames)} frames over ${int(clients.fuzz.connections)} connections. The server's answers: ${formatCounts(clients.fuzz.replies)}. How its connections were closed: ${formatCounts(clients.fuzz.closes)} (4000: more than 10 unreadable frames in 60 s; 1007: invalid UTF-8; 1009: a frame over \`EVENTS_MAX_PAYLOAD\`; 1005/1000: closed by the fuzzer at the end).`,
    "",
    table({ headers: ["frames sent, by kind", "count"], rows: Object.entries(clients.fuzz.byLabel).sort((a, b) => b[1] - a[1]).map(([label, count]) => [label, int(count)]) }),
    "",
    v.redis ? `${v.sub} The instances' logs and /metrics` : `${v.sub} The server's log and /metrics`,
    "",
    ...servers.flatMap((server) => serverLines(server, v)),
  ];
  return lines;
}

function serverLines(server: ServerRun, v: Variant): string[] {
  const who = v.redis ? `Instance ${server.label}` : "The server";
  return [
    `${v.redis ? `${who}: ` : ""}${int(server.serverLines)} log lines (JSON, pino; mostly the \`model:created\` handler's info line per event). Warnings and errors: ${server.serverLog.length === 0 ? "none." : ""}`,
    "",
    ...(server.serverLog.length ? [table({ headers: ["level", "message", "count"], right: [2], rows: server.serverLog.map((entry) => [entry.level, entry.message, int(entry.count)]) }), ""] : []),
    `${who} exited with code ${server.serverExit} on SIGTERM at the end.`,
    "",
    `<details><summary>The bus's and transport's series in <code>/metrics</code>${v.redis ? ` of ${server.label}` : ""} at the end of the run</summary>`,
    "",
    table({ headers: ["series", "value"], rows: server.metricsEnd.map((entry) => [`\`${entry.series}\``, int(entry.value)]) }),
    "",
    "</details>",
    "",
  ];
}

function beforeStart(result: SoakRun): number {
  return Object.values(result.clients.ledgers).reduce((sum, byKind) => sum + (byKind.reading.beforeStart ?? 0) + (byKind.slow.beforeStart ?? 0), 0);
}

function plain(samples: readonly MemorySample[]): MemorySample[] {
  return samples.filter((s) => !s.afterGc);
}

function slopeText(mbPerMin: number): string {
  return Number.isFinite(mbPerMin) ? `${mbPerMin >= 0 ? "+" : ""}${mbPerMin.toFixed(2)} MB/min` : "–";
}

function connectionsLine(samples: readonly MemorySample[], durationS: number): string {
  const during = samples.filter((s) => s.t >= 15 && s.t <= durationS - 30).map((s) => s.connections).filter(Number.isFinite);
  return during.length ? `${int(Math.min(...during))}–${int(Math.max(...during))} (median ${int(median(during))})` : "–";
}

function cpuLine(samples: readonly MemorySample[]): string {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || last.t <= first.t) return "–";
  return `${(((last.cpu - first.cpu) / (last.t - first.t)) * 100).toFixed(0)} % of one core on average`;
}
