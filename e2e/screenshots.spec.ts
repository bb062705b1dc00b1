import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "@playwright/test";
import { startAppServer, type AppServer } from "../test/support/app-server";
import { compareWithPage, readManifest, SCREENSHOTS_DIR, UPDATE_COMMAND, writeManifest, type PictureEntry } from "../test/support/screenshot-manifest";
import { expect, test as base } from "./fixtures";

// Takes the README's pictures of the dashboard, light and dark, with traffic flowing, and notes
// which panels each one shows. Every run writes them to test-results/screenshots/ and fails when
// the dashboard has a panel that no committed picture in docs/screenshots/ shows (or the committed
// ones show a panel it no longer has). With UPDATE_SCREENSHOTS=1 they replace the README's copies
// and docs/screenshots/manifest.json (so a plain test run leaves the tree clean).
const UPDATE = process.env.UPDATE_SCREENSHOTS === "1";
const OUTPUT_DIR = UPDATE ? SCREENSHOTS_DIR : "test-results/screenshots";

const DASHBOARD_TOKEN = "e2e-screenshots-token-0123456789";

const test = base.extend<object, { app: AppServer }>({
  app: [
    async ({}, use) => {
      const server = await startAppServer({ env: { EVENTS_DASHBOARD_TOKEN: DASHBOARD_TOKEN } });
      await use(server);
      await server.stop();
    },
    { scope: "worker" },
  ],
});

const VALUES = ["first", "invoice #1042", "tea with milk", "Zoë's draft", "nightly export", "hello, world", "<img src=x onerror=alert(1)>"];

/** Adds a model every `everyMs` until stopped: steady traffic for the pictures. */
function keepAddingModels(baseUrl: string, everyMs: number): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    for (let n = 0; running; n++) {
      await fetch(`${baseUrl}/api/models`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ value: VALUES[n % VALUES.length] }),
      });
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

async function fire(page: Page, name: string, payload: string | null, button: "Trigger" | "Request"): Promise<void> {
  const panel = page.getByRole("region", { name: "Fire" });
  await panel.getByLabel("Event or query").selectOption(name);
  if (payload !== null) {
    const json = panel.getByRole("button", { name: "JSON" });
    if (await json.isVisible()) await json.click();
    await panel.getByLabel("Payload (JSON; empty for none)").fill(payload);
  }
  await panel.getByRole("button", { name: button }).click();
  await expect(panel.getByTestId("fire-outcome")).not.toHaveText("The outcome shows here.");
}

interface PanelOnPage {
  name: string;
  /** Its box in page coordinates (the full page, scrolled or not). */
  top: number;
  bottom: number;
  visible: boolean;
}

/**
 * The page's panels as it renders them now: the landmark regions of `main` (named sections) that
 * sit inside no other region (a panel's own sub-regions, like a trace's "Payload", are not panels).
 */
async function panelsOf(page: Page): Promise<PanelOnPage[]> {
  const panels = await page.getByRole("main").evaluate((main) => {
    const regions = [...main.querySelectorAll<HTMLElement>('section[aria-labelledby], section[aria-label], [role="region"]')];
    const nameOf = (element: HTMLElement) =>
      (element.getAttribute("aria-labelledby")
        ? element
            .getAttribute("aria-labelledby")!
            .split(/\s+/)
            .map((id) => document.getElementById(id)?.textContent ?? "")
            .join(" ")
        : (element.getAttribute("aria-label") ?? "")
      ).trim();
    return regions
      .filter((region) => nameOf(region) !== "" && !regions.some((other) => other !== region && other.contains(region)))
      .map((region) => {
        const box = region.getBoundingClientRect();
        return {
          name: nameOf(region),
          top: box.top + window.scrollY,
          bottom: box.bottom + window.scrollY,
          visible: region.checkVisibility() && box.width > 0 && box.height > 0,
        };
      });
  });
  // Each name must be a region by Chromium's own accessibility tree too, not only by this reading of the DOM.
  for (const { name } of panels) await expect(page.getByRole("region", { name, exact: true }).first()).toBeAttached();
  return panels;
}

/** Takes a full-page picture and returns the panels visible in it. */
async function picture(page: Page, file: string): Promise<string[]> {
  const panels = await panelsOf(page);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.screenshot({ path: join(OUTPUT_DIR, file), fullPage: true });
  return panels.filter((panel) => panel.visible && panel.bottom > 0 && panel.top < height).map((panel) => panel.name);
}

test("screenshots of the dashboard, light and dark, with traffic flowing, show every panel it has", async ({ page, app }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  const signIn = await page.request.post("/api/dashboard/session", { data: { token: DASHBOARD_TOKEN } });
  expect(signIn.ok()).toBe(true);
  await page.goto("/");
  await expect(page.locator('[data-testid="connection-state"][data-monitor="active"]')).toHaveText("Connected");
  // The Cluster panel renders after the server's first `describe`: wait for it, as for the traffic below.
  await expect(page.getByTestId("cluster-state")).toBeVisible();
  await page.getByRole("group", { name: "Theme" }).getByRole("button", { name: "light" }).click();

  // The demo visitor gives a name: the Connections panel's presence list shows it.
  await page.context().addCookies([{ name: "wf_demo_name", value: "Ada", url: app.url }]);
  const demo = await page.context().newPage();
  await demo.goto("/demo");
  await expect(demo.getByTestId("demo-status")).toHaveText("live: subscribed to model:created");

  const pictures: Record<string, Omit<PictureEntry, "sha256">> = {};
  const stop = keepAddingModels(app.url, 700);
  try {
    const traces = page.getByRole("list", { name: "Traces, newest first" }).getByRole("listitem");
    await expect.poll(() => traces.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(8);
    await fire(page, "health:check", null, "Request");
    await fire(page, "demo:ping", '{"message": ""}', "Trigger");
    await fire(page, "model:count", null, "Request");
    await fire(page, "cache:warmed", '{"region": "eu-west", "keys": 1280}', "Trigger");
    await fire(page, "demo:ping", '{"message": "Deploy finished", "urgent": true}', "Trigger");
    await traces.filter({ hasText: "cache:warmed" }).click();

    pictures["dashboard-light.png"] = { page: "/", panels: await picture(page, "dashboard-light.png") };
    const connections = page.getByRole("region", { name: "Connections" });
    await expect(connections.locator('[data-presence="demo:here"]')).toContainText("Ada");
    await connections.screenshot({ path: join(OUTPUT_DIR, "connections-light.png") });
    pictures["connections-light.png"] = { page: "/", panels: ["Connections"] };
    // A trace with two handlers, one failing on purpose: its detail shows the span waterfall.
    await fire(page, "demo:two-handlers", '{"note": "nightly export"}', "Trigger");
    await traces.filter({ hasText: "demo:two-handlers" }).first().click();
    const detail = page.getByTestId("trace-detail");
    await expect(detail.getByTestId("span")).toHaveCount(2);
    await detail.screenshot({ path: join(OUTPUT_DIR, "spans-light.png") });
    pictures["spans-light.png"] = { page: "/", panels: ["Live traffic"] };
    await traces.filter({ hasText: "cache:warmed" }).first().click();
    await page.getByRole("group", { name: "Theme" }).getByRole("button", { name: "dark" }).click();
    await expect(page.locator("html")).toHaveClass(/dark/);
    pictures["dashboard-dark.png"] = { page: "/", panels: await picture(page, "dashboard-dark.png") };
  } finally {
    await stop();
  }

  const pagePanels = (await panelsOf(page)).map((panel) => panel.name);
  expect(pagePanels.length, "the dashboard renders its panels as named regions").toBeGreaterThan(0);
  const taken = compareWithPage(Object.values(pictures), "/", pagePanels);
  expect(taken.missing, "panels the dashboard has that this run's pictures do not show (the test must picture them all)").toEqual([]);

  if (UPDATE) {
    writeManifest(pictures);
    // The folder holds exactly what this test takes: an older picture would linger unreferenced.
    for (const file of readdirSync(SCREENSHOTS_DIR)) {
      if (file.endsWith(".png") && !(file in pictures)) rmSync(join(SCREENSHOTS_DIR, file));
    }
  }
  const committed = readManifest();
  expect(committed, `docs/screenshots/manifest.json is missing: run ${UPDATE_COMMAND}`).toBeDefined();
  const { missing, stale } = compareWithPage(Object.values(committed!.pictures), "/", pagePanels);
  expect(missing, `The dashboard has panels that no committed picture in docs/screenshots/ shows: run ${UPDATE_COMMAND}`).toEqual([]);
  expect(stale, `Committed pictures in docs/screenshots/ show panels the dashboard no longer has: run ${UPDATE_COMMAND}`).toEqual([]);
});

