/**
 * The dashboard under load: a production server, the dashboard open in Chromium, and a Node
 * client triggering the public event `demo:ping` at 2,000 events per second for ten seconds
 * (an `EventManager` from lib/events/client over `ws`; the server traces every trigger to the
 * dashboard's monitor session). Reports the main thread's long-task time during the load, the JS
 * heap before and after it, and the time from a click on Pause to the traffic list standing still.
 *
 * Run: `node --import tsx bench/dashboard-load.ts [--rate 2000] [--seconds 10] [--profile page.cpuprofile]` (after `npm run build`).
 * Not a test: the figures depend on the machine (the driver, the server and Chromium share its cores).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { chromium, type Page } from "@playwright/test";
import { WebSocket } from "ws";
import { CHROMIUM_ARGS, chromiumExecutable } from "../e2e/chromium";
import { EventManager } from "../lib/events/client";
import { createMonitorToken } from "../lib/events/server/monitor-token";
import { APP_SERVER_SECRET_KEY, startAppServer } from "../test/support/app-server";
import { summariseProfile } from "./profile-summary";
import { printTable } from "./stats";

/** Linux's clock ticks per second (`getconf CLK_TCK`), the unit of /proc/<pid>/stat's CPU times. */
const CLOCK_TICKS = 100;

export interface DashboardLoadOptions {
  /** Events per second. @default 2000 */
  rate?: number;
  /** Length of the measured load. @default 10 */
  seconds?: number;
  /** Where to write a CPU profile of the page's main thread during the window (a .cpuprofile). */
  profile?: string;
}

export interface DashboardLoadResult {
  rate: number;
  seconds: number;
  /** Triggers the driver sent during the measured window, in all (the Pause phase included), and how many failed. */
  eventsSent: number;
  eventsSentInAll: number;
  eventsFailed: number;
  /** Failed triggers by error code. */
  failures: Record<string, number>;
  /** The driver connections' close codes and reasons, when the server closed one. */
  driverCloses: string[];
  /** CPU during the window, in cores: the server process, and this process (the driver's connections and Playwright). */
  cpu: { server: number; driver: number };
  /** Traces the dashboard received, and those the server dropped for it (gap frames). */
  tracesReceived: number;
  tracesDropped: number;
  /** Main-thread long tasks (> 50 ms) during the measured window. */
  longTasks: { count: number; totalMs: number; longestMs: number; shareOfWindow: number };
  /** Used JS heap after a forced GC, before the load and right after it (MB). */
  heapBeforeMB: number;
  heapAfterMB: number;
  /** From the click on Pause to the button showing Resume, and to the list's last DOM change. */
  pauseShownMs: number;
  pauseToStillMs: number;
  /** DOM changes of the list in the second before the click, and in the two seconds after it (still: 0). */
  listChangesBeforePause: number;
  listChangesAfterPause: number;
}

const DASHBOARD_TOKEN = "bench-dashboard-token-0123456789";

interface BenchWindow {
  __longTasks: { start: number; duration: number }[];
  __lastListChange: number;
  __listChanges: number;
  __pauseShownAt?: number;
}

export async function runDashboardLoad(options: DashboardLoadOptions = {}): Promise<DashboardLoadResult> {
  const rate = options.rate ?? 2_000;
  const seconds = options.seconds ?? 10;
  // The driver stands for the app's own load, not an attacker: lift the per-connection and the
  // per-address limits (driver and browser share 127.0.0.1).
  const limit = String(rate * 4);
  const server = await startAppServer({ env: { EVENTS_DASHBOARD_TOKEN: DASHBOARD_TOKEN, EVENTS_RATE_LIMIT: limit, EVENTS_RATE_LIMIT_PER_IP: limit } });
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  // One connection per 2,500 triggers a second: the app's load comes from many places, and one
  // socket whose replies the busy driver reads late is closed as a slow consumer (4008). Managers
  // with the same URL share a socket, hence the query string.
  const drivers = Array.from(
    { length: Math.ceil(rate / 2_500) },
    (_, index) => new EventManager({ url: `${server.url.replace(/^http/, "ws")}/ws/events?driver=${index}`, WebSocket: WebSocket as never, requestTimeout: 30_000 }),
  );
  try {
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.addInitScript(() => {
      const w = window as unknown as BenchWindow;
      w.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.__longTasks.push({ start: entry.startTime, duration: entry.duration });
      }).observe({ type: "longtask", buffered: true });
    });
    // Pages may not trigger demo:ping (its authorize hook): the driver stands for the server side
    // and triggers from a monitor session, as the dashboard's Fire panel does.
    for (const driver of drivers) await driver.monitor(() => createMonitorToken(APP_SERVER_SECRET_KEY, { dashboardToken: DASHBOARD_TOKEN }), () => {});
    const signIn = await page.request.post("/api/dashboard/session", { data: { token: DASHBOARD_TOKEN } });
    if (!signIn.ok()) throw new Error(`Signing in to the dashboard failed: ${signIn.status()}`);
    await page.goto("/");
    await page.locator('[data-testid="connection-state"][data-monitor="active"]').waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1_000);
    const cdp = await context.newCDPSession(page);
    const heap = async () => {
      await cdp.send("HeapProfiler.collectGarbage");
      const { usedSize } = await cdp.send("Runtime.getHeapUsage");
      return usedSize / 1_048_576;
    };
    const heapBeforeMB = await heap();
    await watchList(page);

    // The load: every 10 ms, as many triggers as keep the total on `rate` per second.
    let sent = 0;
    let failed = 0;
    const failures: Record<string, number> = {};
    // Why the driver's connection ended, when it did: its pending triggers fail as "disconnected".
    const driverCloses: string[] = [];
    for (const driver of drivers) {
      driver.onStateChange((state, detail) => {
        if (state !== "connected" && detail.closeCode !== undefined) driverCloses.push(`${detail.closeCode}${detail.closeReason ? ` ${detail.closeReason}` : ""}`);
      });
    }
    let measuring = true;
    let sentInWindow = 0;
    const started = performance.now();
    const windowStart = await page.evaluate(() => performance.now());
    if (options.profile) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
      await cdp.send("Profiler.start");
    }
    const cpuAt = { server: processCpuMs(server.process.pid), driver: process.cpuUsage(), wall: performance.now() };
    const timer = setInterval(() => {
      const due = Math.floor(((performance.now() - started) / 1_000) * rate) - sent;
      for (let i = 0; i < due; i++) {
        sent++;
        drivers[sent % drivers.length]!.trigger("demo:ping", { message: `load ${sent}` }).catch((error: unknown) => {
          failed++;
          const code = String((error as { code?: unknown }).code ?? (error as Error).name);
          failures[code] = (failures[code] ?? 0) + 1;
        });
      }
      if (measuring) sentInWindow = sent;
    }, 10);

    await sleep(seconds * 1_000);
    measuring = false;
    const windowEnd = await page.evaluate(() => performance.now());
    const wallMs = performance.now() - cpuAt.wall;
    const driverCpu = process.cpuUsage(cpuAt.driver);
    const cpu = { server: (processCpuMs(server.process.pid) - cpuAt.server) / wallMs, driver: (driverCpu.user + driverCpu.system) / 1_000 / wallMs };
    if (options.profile) {
      const { profile } = await cdp.send("Profiler.stop");
      writeFileSync(options.profile, JSON.stringify(profile));
    }
    const tasks = (await page.evaluate(() => (window as unknown as BenchWindow).__longTasks)).filter(
      (task) => task.start >= windowStart && task.start < windowEnd,
    );

    // Still under load: Pause, then watch the list for two seconds.
    const listChanges = () => page.evaluate(() => (window as unknown as BenchWindow).__listChanges);
    const changesBefore = await listChanges();
    await sleep(1_000);
    const pause = page.getByRole("button", { name: "Pause", exact: true });
    // Timed inside the page: Playwright's own round trips would add their latency.
    const clickedAt = await pause.evaluate((button) => {
      const w = window as unknown as BenchWindow;
      new MutationObserver(() => {
        if (button.textContent === "Resume") w.__pauseShownAt ??= performance.now();
      }).observe(button, { childList: true, characterData: true, subtree: true });
      const at = performance.now();
      (button as HTMLButtonElement).click();
      return { at, changes: w.__listChanges };
    });
    await sleep(2_000);
    const { lastChange, shownAt, changesAfter } = await page.evaluate(() => {
      const w = window as unknown as BenchWindow;
      return { lastChange: w.__lastListChange, shownAt: w.__pauseShownAt ?? Number.NaN, changesAfter: w.__listChanges };
    });
    clearInterval(timer);
    await sleep(1_000); // the last traces arrive
    const heapAfterMB = await heap();
    const stats = await page.evaluate(() => ({
      received: document.querySelector('[data-testid="received-count"]')?.textContent ?? "0",
      dropped: document.querySelector('[data-testid="dropped-count"]')?.textContent ?? "0",
    }));
    await context.close();

    const totalMs = tasks.reduce((sum, task) => sum + task.duration, 0);
    return {
      rate,
      seconds,
      eventsSent: sentInWindow,
      eventsSentInAll: sent,
      eventsFailed: failed,
      failures,
      driverCloses,
      cpu,
      tracesReceived: parseCount(stats.received),
      tracesDropped: parseCount(stats.dropped),
      longTasks: {
        count: tasks.length,
        totalMs: Math.round(totalMs),
        longestMs: Math.round(Math.max(0, ...tasks.map((task) => task.duration))),
        shareOfWindow: totalMs / (windowEnd - windowStart),
      },
      heapBeforeMB: round1(heapBeforeMB),
      heapAfterMB: round1(heapAfterMB),
      pauseShownMs: Math.round(shownAt - clickedAt.at),
      pauseToStillMs: Math.round(Math.max(0, lastChange - clickedAt.at)),
      listChangesBeforePause: clickedAt.changes - changesBefore,
      listChangesAfterPause: changesAfter - clickedAt.changes,
    };
  } finally {
    for (const driver of drivers) driver.close();
    await browser.close();
    await server.stop();
  }
}

/** Records the time of the traffic list's last DOM change (rows added, removed or altered). */
async function watchList(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as BenchWindow;
    const list = document.querySelector('[data-testid="traffic-scroller"]');
    if (!list) throw new Error("The traffic list is not on the page");
    w.__lastListChange = performance.now();
    w.__listChanges = 0;
    new MutationObserver((records) => {
      w.__lastListChange = performance.now();
      w.__listChanges += records.length;
    }).observe(list, { subtree: true, childList: true, characterData: true, attributes: true });
  });
}

function parseCount(text: string): number {
  return Number(text.replace(/[^0-9]/g, "")) || 0;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function printDashboardLoad(result: DashboardLoadResult): void {
  console.log(`\nDashboard under load: ${result.rate} events/s of demo:ping for ${result.seconds} s (Chromium, production build)\n`);
  printTable(
    ["figure", "value"],
    [
      ["events sent in the window / in all (failed)", `${result.eventsSent} / ${result.eventsSentInAll} (${result.eventsFailed})`],
      ["failed triggers by code", Object.entries(result.failures).map(([code, count]) => `${code} ${count}`).join(", ") || "none"],
      ["CPU in the window: server process / driver + Playwright process", `${result.cpu.server.toFixed(2)} / ${result.cpu.driver.toFixed(2)} cores`],
      ["driver connections closed", result.driverCloses.join("; ") || "never"],
      ["traces received by the dashboard", result.tracesReceived],
      ["traces dropped by the server", result.tracesDropped],
      ["long tasks: count", result.longTasks.count],
      ["long tasks: total", `${result.longTasks.totalMs} ms (${(result.longTasks.shareOfWindow * 100).toFixed(1)}% of the window)`],
      ["long tasks: longest", `${result.longTasks.longestMs} ms`],
      ["JS heap before (after GC)", `${result.heapBeforeMB} MB`],
      ["JS heap after (after GC)", `${result.heapAfterMB} MB`],
      ["Pause click → button shows Resume", `${result.pauseShownMs} ms`],
      ["Pause click → list stands still", `${result.pauseToStillMs} ms`],
      ["list DOM changes: 1 s before Pause / 2 s after", `${result.listChangesBeforePause} / ${result.listChangesAfterPause}`],
    ],
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = new Map<string, string>();
  for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1] ?? "");
  const profile = args.get("profile");
  const result = await runDashboardLoad({ rate: Number(args.get("rate") ?? 2_000), seconds: Number(args.get("seconds") ?? 10), ...(profile ? { profile } : {}) });
  printDashboardLoad(result);
  if (profile) {
    const summary = summariseProfile(profile, 15);
    console.log(`\nThe page's main thread in the window (${profile}): ${summary.busyMs.toFixed(0)} ms busy of ${summary.totalMs.toFixed(0)} ms sampled`);
    for (const group of summary.groups.slice(0, 8)) console.log(`  ${(group.share * 100).toFixed(1).padStart(5)}%  ${group.group}`);
    console.log("  top functions by self time:");
    for (const fn of summary.top) console.log(`  ${(fn.selfShare * 100).toFixed(1).padStart(5)}%  ${fn.name}  ${fn.where}`);
  }
}

/** A process's CPU time so far (user + system), in ms, from /proc (Linux); NaN elsewhere. */
function processCpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // utime and stime are the 14th and 15th fields of the line; after "comm) " they are 12th and 13th.
    return ((Number(fields[11]) + Number(fields[12])) * 1_000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}
