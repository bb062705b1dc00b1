/**
 * `npm run bench:capacity`: how many idle browser connections one instance holds, and what they
 * cost. The production server (dist/server.js) alone; the subscribers in separate processes of
 * 2,500 connections each, from loopback addresses of their own (127.0.0.2, .3, …).
 *
 * At each step (0, then each size of --sizes): connections opened and subscribed to
 * `model:created`, then the server measured idle — RSS (/proc) and CPU over --idle seconds, which
 * is the heartbeat's work (EVENTS_HEARTBEAT, default 30 s) — then under a 1-event-per-second
 * fan-out to every connection for --fanout seconds: CPU and the latency of each delivery (from
 * the trigger's send time to the client's read, p50/p99/max). Results to bench/results/capacity.json.
 *
 *   npm run bench:capacity [-- --sizes 10000,19500] [--idle 60] [--fanout 30] [--heartbeat 30000]
 *
 * The process file-descriptor limit caps a size (each connection holds one descriptor); it is
 * checked before the run.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createMonitorToken } from "../lib/events/server";
import { startAppServer, type AppServer } from "../test/support/app-server";
import { machine, machineLoad, parseFlags, requireBuild, ROOT, SECRET_KEY, sleep } from "../reliability/common";
import { WireClient } from "../reliability/wire-client";
import { percentile } from "./stats";

const USAGE = "usage: npm run bench:capacity [-- --sizes 10000,19500] [--idle 60] [--fanout 30] [--heartbeat 30000]";
const flags = parseFlags(process.argv.slice(2), { sizes: "string", idle: "number", fanout: "number", heartbeat: "number" }, USAGE);
const sizes = String(flags.sizes ?? "10000,19500").split(",").map(Number);
const idleS = (flags.idle as number | undefined) ?? 60;
const fanoutS = (flags.fanout as number | undefined) ?? 30;
const heartbeatMs = (flags.heartbeat as number | undefined) ?? 30_000;
const PER_PROCESS = 2_500;
const EVENT = "model:created";
const TICKS = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s

interface Step {
  connections: number;
  rssMB: number;
  rssPerConnectionKB: number | undefined;
  idleCpuPercent: number;
  /** CPU ms per heartbeat round per 1,000 connections (idle CPU above the empty server's). */
  heartbeatMsPer1000: number | undefined;
  /**
   * `eventsPerSecond`: the rate held. The next trigger goes once the last one's `ok` is back,
   * which the server sends after handing the event to every connection: when that takes more
   * than a second, the rate falls below 1/s, and the shortfall is the server (or the machine) not
   * keeping up.
   */
  fanout: { events: number; elapsedS: number; eventsPerSecond: number; deliveries: number; expected: number; cpuPercent: number; cpuUsPerDelivery: number; p50: number; p99: number; max: number };
}

requireBuild();
const fdLimit = Number(/Max open files\s+(\d+)/.exec(readFileSync("/proc/self/limits", "utf8"))?.[1]);
if (Math.max(...sizes) + 100 > fdLimit) {
  console.error(`--sizes: ${Math.max(...sizes)} connections need more file descriptors than this machine allows a process (${fdLimit}); keep below ${fdLimit - 100}`);
  process.exit(2);
}

const load = machineLoad().uptime;
console.log(`Capacity — ${machine()}\n  ${load}`);
const server = await startAppServer({
  env: {
    SECRET_KEY,
    EVENTS_MAX_CONNECTIONS: String(Math.max(...sizes) + 100),
    // Every simulated browser comes from a few loopback addresses.
    EVENTS_MAX_CONNECTIONS_PER_IP: "1000000",
    EVENTS_RATE_LIMIT_PER_IP: "1000000",
    EVENTS_HEARTBEAT: String(heartbeatMs),
  },
  timeoutMs: 120_000,
});
const pid = server.process.pid!;
const children: ChildProcess[] = [];
const steps: Step[] = [];
try {
  await sleep(5_000);
  const empty = await measureIdle(0, undefined);
  console.log(`  empty: RSS ${empty.rssMB.toFixed(0)} MB, idle CPU ${empty.idleCpuPercent.toFixed(2)} %`);
  let open = 0;
  for (const size of sizes) {
    while (open < size) {
      const count = Math.min(PER_PROCESS, size - open);
      children.push(await startClients(server, count, `127.0.0.${2 + children.length}`));
      open += count;
    }
    await sleep(5_000);
    const idle = await measureIdle(open, empty);
    const fanout = await measureFanout(open);
    const step: Step = { ...idle, fanout };
    steps.push(step);
    console.log(
      `  ${open} connections: RSS ${step.rssMB.toFixed(0)} MB (${step.rssPerConnectionKB?.toFixed(1)} KB each), idle CPU ${step.idleCpuPercent.toFixed(2)} % ` +
        `(heartbeat ${step.heartbeatMsPer1000?.toFixed(1)} ms per round per 1,000); fan-out at ${fanout.eventsPerSecond.toFixed(2)}/s: ${fanout.deliveries}/${fanout.expected} delivered, CPU ${fanout.cpuPercent.toFixed(1)} % ` +
        `(${fanout.cpuUsPerDelivery.toFixed(1)} µs per delivery), latency p50 ${fanout.p50} ms, p99 ${fanout.p99} ms, max ${fanout.max} ms`,
    );
  }
  const result = { command: `npm run bench:capacity${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`, date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC", machine: machine(), load, loadEnd: machineLoad().uptime, fdLimit, heartbeatMs, idleS, fanoutS, clientsPerProcess: PER_PROCESS, empty, steps };
  mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
  writeFileSync(join(ROOT, "bench", "results", "capacity.json"), `${JSON.stringify(result, null, 1)}\n`);
  console.log("Wrote bench/results/capacity.json");
} finally {
  for (const child of children) child.send({ kind: "close" });
  await sleep(500);
  for (const child of children) child.kill("SIGKILL");
  await server.stop("SIGTERM");
}

function rssMB(): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  return kb / 1024;
}

/** CPU seconds the server has used (user + system). */
function cpuSeconds(): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

async function measureIdle(connections: number, empty: { rssMB: number; idleCpuPercent: number } | undefined) {
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  await sleep(idleS * 1_000);
  const idleCpuPercent = ((cpuSeconds() - cpu0) / ((performance.now() - t0) / 1_000)) * 100;
  const rss = rssMB();
  const rounds = (idleS * 1_000) / heartbeatMs;
  return {
    connections,
    rssMB: rss,
    rssPerConnectionKB: empty && connections ? ((rss - empty.rssMB) * 1024) / connections : undefined,
    idleCpuPercent,
    heartbeatMsPer1000: empty && connections ? ((((idleCpuPercent - empty.idleCpuPercent) / 100) * idleS * 1_000) / rounds / connections) * 1_000 : undefined,
  };
}

async function measureFanout(connections: number): Promise<Step["fanout"]> {
  const trigger = new WireClient(server.url.replace(/^http/, "ws"));
  await trigger.opened;
  const monitor = await trigger.op({ type: "monitor", token: createMonitorToken(SECRET_KEY) });
  if (monitor.type !== "ok") throw new Error(`monitor refused: ${JSON.stringify(monitor)}`);
  await collect(); // forget anything earlier
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  let events = 0;
  for (let second = 0; second < fanoutS; second++) {
    const reply = await trigger.op({ type: "trigger", event: EVENT, data: { id: second + 1, value: String(Date.now()) } });
    if (reply.type === "ok") events++;
    await sleep(Math.max(0, (second + 1) * 1_000 - (performance.now() - t0)));
  }
  const sendingS = (performance.now() - t0) / 1_000;
  await sleep(2_000); // the last deliveries
  const cpuPercent = ((cpuSeconds() - cpu0) / ((performance.now() - t0) / 1_000)) * 100;
  const cpuUsed = cpuSeconds() - cpu0;
  trigger.close();
  const latencies = (await collect()).sort((a, b) => a - b);
  return {
    events,
    elapsedS: sendingS,
    eventsPerSecond: events / sendingS,
    deliveries: latencies.length,
    expected: events * connections,
    cpuPercent,
    cpuUsPerDelivery: latencies.length ? (cpuUsed * 1e6) / latencies.length : Number.NaN,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
  };
}

/** Every child's latencies since the last collect. */
async function collect(): Promise<number[]> {
  const reports = await Promise.all(
    children.map(
      (child) =>
        new Promise<number[]>((resolve) => {
          child.once("message", (message: { latencies: number[] }) => resolve(message.latencies));
          child.send({ kind: "report" });
        }),
    ),
  );
  return reports.flat();
}

function startClients(target: AppServer, count: number, address: string): Promise<ChildProcess> {
  const child = fork(join(ROOT, "bench", "capacity-clients.ts"), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, CAPACITY_URL: target.url.replace(/^http/, "ws"), CAPACITY_COUNT: String(count), CAPACITY_ADDRESS: address, CAPACITY_EVENT: EVENT },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (message: { kind: string; message?: string; subscribed: number }) => {
      if (message.kind === "ready") resolve(child);
      else reject(new Error(`clients from ${address}: ${message.message} (${message.subscribed} subscribed)`));
    });
    child.once("exit", (code) => reject(new Error(`clients from ${address} exited with ${code}`)));
  });
}
