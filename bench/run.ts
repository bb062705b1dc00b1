/**
 * `npm run bench`: every benchmark, peers side by side in one run. Not part of `npm test`.
 *
 *   npm run bench                          the full suite; writes docs/benchmarks.md and docs/benchmarks.svg
 *   npm run bench -- --quick               a short smoke run (written to bench/results/, not docs/)
 *   npm run bench -- --only fanout,reqrep  a subset: fanout, cluster, reqrep, slow, inprocess, dashboard
 *   npm run bench -- --rounds 3            rounds per benchmark (default: 5; slow consumers 3)
 *   npm run bench -- --profile /tmp/prof   also CPU-profile our server's measured fan-out windows (first
 *                                          round, N=1000: ours-N1000-flood.cpuprofile …) and summarise the flood's;
 *                                          request/reply: ours-reqrep-1/-100.cpuprofile
 *   npm run bench -- --write               write docs/ even for a quick or partial run
 *
 * Servers and clients run in separate processes (bench/net/), on 127.0.0.1, compression off.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runFanout, type FanoutSummary } from "./fanout";
import { runFanoutCluster, type ClusterSummary } from "./fanout-cluster";
import { summariseProfile } from "./profile-summary";
import { runReqRep, type ReqRepSummary } from "./reqrep";
import { printTargets, writeMarkdown, writeSvg, type Section } from "./report";
import { runSlowConsumers, type SlowSummary } from "./slow-consumers";
import { judgeTargets, type Summaries } from "./targets";

const ALL = ["fanout", "cluster", "reqrep", "slow", "inprocess", "dashboard"] as const;
type Bench = (typeof ALL)[number];

function parseFlags(argv: string[]) {
  const flags = { quick: false, write: false, only: [...ALL] as Bench[], rounds: undefined as number | undefined, profile: undefined as string | undefined };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    if (flag === "--quick") flags.quick = true;
    else if (flag === "--write") flags.write = true;
    else if (flag === "--only") {
      const names = value().split(",").map((name) => name.trim()).filter(Boolean);
      const unknown = names.filter((name) => !(ALL as readonly string[]).includes(name));
      if (unknown.length) throw new Error(`--only: unknown benchmark(s) ${unknown.join(", ")}; known: ${ALL.join(", ")}`);
      flags.only = names as Bench[];
    } else if (flag === "--rounds") {
      flags.rounds = Number(value());
      if (!Number.isInteger(flags.rounds) || flags.rounds < 1) throw new Error("--rounds needs a positive integer");
    } else if (flag === "--profile") flags.profile = value();
    else throw new Error(`unknown flag ${flag}; known: --quick, --only <${ALL.join(",")}>, --rounds N, --profile DIR, --write`);
  }
  return flags;
}

const flags = parseFlags(process.argv.slice(2));
const root = fileURLToPath(new URL("..", import.meta.url));
const started = performance.now();
const loadAtStart = os.loadavg();
const sections: Section[] = [];
const raw: Record<string, unknown> = {};
const quick = flags.quick;

console.log(`Benchmarks${quick ? " (quick)" : ""}: ${flags.only.join(", ")} — ${os.cpus()[0]?.model ?? "?"} × ${os.cpus().length}, node ${process.version}, load ${loadAtStart.map((v) => v.toFixed(2)).join(" ")}`);
if (flags.profile) mkdirSync(flags.profile, { recursive: true });

/** runInProcess's medians as plain objects (for JSON and the targets). */
const inProcessRates = (suites: Record<string, Map<string, number>>) => Object.fromEntries(Object.entries(suites).map(([suite, rates]) => [suite, Object.fromEntries(rates)]));

const has = (name: Bench) => flags.only.includes(name);
/** Deliveries per fan-out flood (to each N, and across two instances). */
const floodDeliveries = quick ? 50_000 : 300_000;
const roundsOr = (full: number, quickRounds: number) => flags.rounds ?? (quick ? quickRounds : full);

// ── 1. fan-out ────────────────────────────────────────────────────────────
let fanout: FanoutSummary | undefined;
if (has("fanout")) {
  console.log("\n1. Fan-out");
  const result = await runFanout({
    rounds: roundsOr(5, 1),
    sizes: [100, 1000],
    floodDeliveries,
    burst: 50,
    payloadBytes: 100,
    pacedRate: (clients) => (clients >= 1000 ? 20 : 100),
    pacedSeconds: quick ? 1.5 : 5,
    contenders: ["ours", "ours-pattern", "ws-naive", "ws-corked", "socketio"],
    ...(flags.profile ? { profileDir: flags.profile } : {}),
  });
  fanout = result.summary;
  sections.push(result.section);
  raw.fanout = result.runs;
  const profile = flags.profile && `${flags.profile}/ours-N1000-flood.cpuprofile`;
  if (profile && existsSync(profile)) {
    const summary = summariseProfile(profile, 20);
    console.log(`\nCPU profile of our server in the N=1000 flood (${profile}): ${summary.busyMs.toFixed(0)} ms busy`);
    for (const group of summary.groups) console.log(`  ${(group.share * 100).toFixed(1).padStart(5)}%  ${group.group}`);
    console.log("  top self time:");
    for (const fn of summary.top) console.log(`  ${(fn.selfShare * 100).toFixed(1).padStart(5)}%  ${fn.name}  ${fn.where}  (total ${fn.totalMs.toFixed(0)} ms)`);
  }
}

// ── 1b. fan-out across two instances on Redis ─────────────────────────────
let cluster: ClusterSummary | undefined;
if (has("cluster")) {
  console.log("\n1b. Fan-out across two instances (Redis)");
  const result = await runFanoutCluster({
    rounds: roundsOr(3, 1),
    clients: 1000,
    floodDeliveries,
    burst: 50,
    payloadBytes: 100,
    pacedRate: 20,
    pacedSeconds: quick ? 1.5 : 5,
  });
  cluster = result.summary;
  sections.push(result.section);
  raw.cluster = result.runs;
}

// ── 2. request/reply ──────────────────────────────────────────────────────
let reqrep: ReqRepSummary | undefined;
if (has("reqrep")) {
  console.log("\n2. Request/reply");
  const result = await runReqRep({
    rounds: roundsOr(5, 1),
    inFlight: [1, 100],
    durationMs: quick ? 800 : 2_000,
    warmupMs: quick ? 300 : 1_000,
    contenders: ["ours-raw", "ours-browser", "ours-node", "ws-raw", "socketio-raw", "socketio-library"],
    ...(flags.profile ? { profileDir: flags.profile } : {}),
  });
  reqrep = result.summary;
  sections.push(result.section);
  raw.reqrep = result.summary;
}

// ── 3. slow consumers ─────────────────────────────────────────────────────
let slow: SlowSummary | undefined;
if (has("slow")) {
  console.log("\n3. Slow consumers");
  const result = await runSlowConsumers({
    rounds: roundsOr(3, 1),
    events: quick ? 5_000 : 20_000,
    bytes: 1024,
    rate: 5_000,
    stalled: [50, 0],
    extraOursStalled: quick ? [] : [200],
    contenders: ["ours", "ws-naive", "socketio"],
    holdMs: 1_000,
  });
  slow = result.summary;
  sections.push(result.section);
  raw.slow = result.summary;
}

// ── 4. in-process ─────────────────────────────────────────────────────────
let inProcess: Record<string, Map<string, number>> | undefined;
if (has("inprocess")) {
  console.log("\n4. In-process");
  // bench/in-process.ts reads its own flags from process.argv when it is imported.
  const argv = process.argv;
  process.argv = [argv[0]!, argv[1]!, "--rounds", String(roundsOr(5, 2)), "--ms", quick ? "150" : "400"];
  const { runInProcess } = await import("./in-process");
  process.argv = argv;
  const printed: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => {
    printed.push(args.map(String).join(" "));
    log(...args);
  };
  try {
    inProcess = await runInProcess();
  } finally {
    console.log = log;
  }
  raw.inProcess = inProcessRates(inProcess);
  sections.push({
    title: "4. In-process",
    about:
      "`bench/in-process.ts` (runInProcess), in this process: our `trigger` (awaited, with 1 and 10 handlers; an internal and a public event) and `listen`, against Node's `EventEmitter` and `mitt` (synchronous) and `emittery` (awaited). Rounds interleaved; the output as printed:",
    tables: [],
    notes: [],
  });
  sections[sections.length - 1]!.about += `\n\n\`\`\`\n${printed.join("\n").trim()}\n\`\`\``;
}

// ── 5. dashboard under load ───────────────────────────────────────────────
// Hook: bench/dashboard-load.ts (written with the dashboard) exports `runDashboardLoad()`.
if (has("dashboard")) {
  console.log("\n5. Dashboard under load");
  const file = fileURLToPath(new URL("./dashboard-load.ts", import.meta.url));
  if (!existsSync(file)) {
    console.log("  bench/dashboard-load.ts does not exist yet: skipped (the hook in bench/run.ts runs its runDashboardLoad() once it does).");
    sections.push({ title: "5. Dashboard under load", about: "Not measured: `bench/dashboard-load.ts` (`runDashboardLoad()`) did not exist at the time of this run.", tables: [], notes: [] });
  } else {
    try {
      const dashboard = (await import(pathToFileURL(file).href)) as {
        runDashboardLoad: (options?: { rate?: number; seconds?: number }) => Promise<unknown>;
        printDashboardLoad?: (result: unknown) => void;
      };
      const result = await dashboard.runDashboardLoad(quick ? { seconds: 3 } : {});
      raw.dashboard = result;
      const printed: string[] = [];
      if (dashboard.printDashboardLoad) {
        const log = console.log;
        console.log = (...args: unknown[]) => {
          printed.push(args.map(String).join(" "));
          log(...args);
        };
        try {
          dashboard.printDashboardLoad(result);
        } finally {
          console.log = log;
        }
      } else {
        printed.push(JSON.stringify(result, null, 2));
        console.log(printed[0]);
      }
      sections.push({
        title: "5. Dashboard under load",
        about: `\`bench/dashboard-load.ts\` (runDashboardLoad): a production server (\`npm run build\` first), the dashboard open in Chromium, and a Node client triggering a public event at a fixed rate while the dashboard's monitor session receives a trace of every trigger. One run; as printed:\n\n\`\`\`\n${printed.join("\n").trim()}\n\`\`\``,
        tables: [],
        notes: [],
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      console.log(`  FAILED: ${message}`);
      sections.push({ title: "5. Dashboard under load", about: `Failed: ${message}`, tables: [], notes: [] });
    }
  }
}

// ── targets ───────────────────────────────────────────────────────────────
const summaries: Summaries = { fanout, cluster, reqrep, slow, fanoutFloodDeliveries: floodDeliveries, ...(inProcess ? { inProcess: inProcessRates(inProcess) } : {}) };
const { targets, bars } = judgeTargets(summaries);
printTargets(targets);

// ── output ────────────────────────────────────────────────────────────────
const full = !quick && flags.only.length === ALL.length && flags.rounds === undefined;
const toDocs = full || flags.write;
const resultsDir = `${root}bench/results`;
mkdirSync(resultsDir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const mdPath = toDocs ? `${root}docs/benchmarks.md` : `${resultsDir}/benchmarks-${stamp}.md`;
const svgPath = toDocs ? `${root}docs/benchmarks.svg` : `${resultsDir}/benchmarks-${stamp}.svg`;
const version = (name: string) => {
  try {
    return (JSON.parse(readFileSync(`${root}node_modules/${name}/package.json`, "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
};
const cpus = os.cpus();
writeMarkdown(
  mdPath,
  {
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}  (= node --import tsx bench/run.ts${process.argv.length > 2 ? ` ${process.argv.slice(2).join(" ")}` : ""})`,
    date: new Date().toISOString().replace("T", " ").slice(0, 16) + " UTC",
    machine: `${cpus[0]?.model ?? "?"}, ${cpus.length} cores, ${(os.totalmem() / 1073741824).toFixed(0)} GB, ${os.type()} ${os.release()}`,
    node: process.version,
    load: `${loadAtStart.map((v) => v.toFixed(2)).join(" ")} → ${os.loadavg().map((v) => v.toFixed(2)).join(" ")}`,
    durationS: (performance.now() - started) / 1000,
    versions: ["ws", "socket.io", "socket.io-client", "@socket.io/redis-adapter", "ioredis", "emittery", "mitt"].map((name) => `${name} ${version(name)}`).join(", "),
  },
  targets,
  sections,
  svgPath.split("/").pop()!,
);
writeSvg(svgPath, `Webfluid Events vs peers — ${new Date().toISOString().slice(0, 10)}, ${cpus.length} cores, node ${process.version}`, bars);
writeFileSync(`${resultsDir}/latest.json`, JSON.stringify({ flags, targets, summaries, raw }, null, 2));
console.log(`\nWrote ${mdPath.replace(root, "")} and ${svgPath.replace(root, "")} (raw figures: bench/results/latest.json) in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
