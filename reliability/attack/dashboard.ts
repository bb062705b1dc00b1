/**
 * Findings 8 and 9, in Chromium: the traffic filter compiled `*` to a backtracking regex (40 `*`
 * and an `x` froze the tab for over 15 s per trace), and a 2,040-deep payload threw "Maximum
 * call stack size exceeded" in the trace detail. Replayed on a signed-in dashboard.
 */
import { chromium } from "@playwright/test";
import { WebSocket } from "ws";
import { CHROMIUM_ARGS, chromiumExecutable } from "../../e2e/chromium";
import { EventManager } from "../../lib/events/client";
import { createMonitorToken } from "../../lib/events/server/monitor-token";
import { APP_SERVER_SECRET_KEY } from "../../test/support/app-server";
import { DASHBOARD_TOKEN, sleep, Verdict, type AttackContext, type Finding } from "./kit";

interface ProbeWindow {
  __longTasks: { start: number; duration: number }[];
}

export async function dashboardInputs(context: AttackContext): Promise<Finding[]> {
  const filter = new Verdict(8, "A filter of 40 `*` and an `x` does not freeze the dashboard");
  const deep = new Verdict(9, "A 2,040-deep payload shows in the trace detail");
  const server = await context.server({ env: { EVENTS_DASHBOARD_TOKEN: DASHBOARD_TOKEN } });
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  const driver = new EventManager({ url: `${server.url.replace(/^http/, "ws")}/ws/events`, WebSocket: WebSocket as never });
  try {
    await driver.monitor(() => createMonitorToken(APP_SERVER_SECRET_KEY, { dashboardToken: DASHBOARD_TOKEN }), () => {});
    const page = await (await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } })).newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("crash", () => errors.push("the page crashed"));
    await page.addInitScript(() => {
      const probe = window as unknown as ProbeWindow;
      probe.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) probe.__longTasks.push({ start: entry.startTime, duration: entry.duration });
      }).observe({ type: "longtask", buffered: true });
    });
    const signIn = await page.request.post("/api/dashboard/session", { data: { token: DASHBOARD_TOKEN } });
    if (!signIn.ok()) throw new Error(`signing in failed with ${signIn.status()}`);

    // 8: the filter, with traces arriving.
    await page.goto(`/?name=${"*".repeat(40)}x`);
    await page.locator('[data-testid="connection-state"][data-monitor="active"]').waitFor({ timeout: 30_000 });
    const windowStart = await page.evaluate(() => performance.now());
    for (let sent = 0; sent < context.sizes.traces; sent++) {
      await driver.trigger("demo:ping", { message: `trace ${sent} ${"a".repeat(40)}` });
      if (sent % 10 === 9) await sleep(50);
    }
    await sleep(1_000);
    const clicked = performance.now();
    await page.getByRole("button", { name: /Pause/ }).click({ timeout: 10_000 });
    const clickMs = performance.now() - clicked;
    const tasks = (await page.evaluate(() => (window as unknown as ProbeWindow).__longTasks)).filter((task) => task.start >= windowStart);
    const longest = tasks.reduce((max, task) => Math.max(max, task.duration), 0);
    filter
      .figure("traces arriving under the filter", context.sizes.traces)
      .figure("long tasks / longest", `${tasks.length} / ${longest.toFixed(0)} ms`)
      .figure("a click on Pause answered in", `${clickMs.toFixed(0)} ms`)
      .check(longest < 200, `a long task of ${longest.toFixed(0)} ms`)
      .check(clickMs < 2_000, `the Pause click took ${clickMs.toFixed(0)} ms`);

    // 9: the deep payload (demo:ping refuses it, and the trace keeps the value: under 4 KB).
    await page.goto("/");
    await page.locator('[data-testid="connection-state"][data-monitor="active"]').waitFor({ timeout: 30_000 });
    const depth = 2_040;
    const nested = JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`) as unknown;
    await driver.trigger("demo:ping", nested as never).catch(() => undefined);
    const row = page.getByRole("list", { name: "Traces, newest first" }).getByRole("listitem").filter({ hasText: "[[[[" });
    await row.first().click({ timeout: 10_000 });
    const payload = page.getByTestId("trace-detail").getByRole("region", { name: "Payload" });
    await payload.getByRole("button", { expanded: false }).first().click({ timeout: 10_000 });
    const opened = await payload.getByRole("button", { expanded: true }).count();
    deep
      .figure("payload depth", depth)
      .figure("levels open after one click", opened)
      .figure("page errors", errors.length ? errors.join("; ") : "none")
      .check(opened === 3, `${opened} levels open after one click (expected 3)`)
      .check(errors.length === 0, `page errors: ${errors.join("; ")}`);
    filter.check(errors.length === 0, `page errors: ${errors.join("; ")}`);
  } finally {
    driver.close();
    await browser.close();
  }
  return [filter.done(), deep.done()];
}
