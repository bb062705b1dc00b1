import type { Page } from "@playwright/test";
import { startAppServer, type AppServer } from "../test/support/app-server";
import { expect, test as base } from "./fixtures";

// Takes the README's pictures of the dashboard, light and dark, with traffic flowing. Every run
// writes them to test-results/screenshots/; with UPDATE_SCREENSHOTS=1 they replace the README's
// docs/screenshots/dashboard-light.png and dashboard-dark.png (so a test run leaves the tree clean).
const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS === "1" ? "docs/screenshots" : "test-results/screenshots";

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

test("screenshots of the dashboard, light and dark, with traffic flowing", async ({ page, app }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  const signIn = await page.request.post("/api/dashboard/session", { data: { token: DASHBOARD_TOKEN } });
  expect(signIn.ok()).toBe(true);
  await page.goto("/");
  await expect(page.locator('[data-testid="connection-state"][data-monitor="active"]')).toHaveText("Connected");
  await page.getByRole("group", { name: "Theme" }).getByRole("button", { name: "light" }).click();

  const demo = await page.context().newPage();
  await demo.goto("/demo");
  await expect(demo.getByTestId("demo-status")).toHaveText("live: subscribed to model:created");

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

    await page.screenshot({ path: `${SCREENSHOT_DIR}/dashboard-light.png`, fullPage: true });
    await page.getByRole("group", { name: "Theme" }).getByRole("button", { name: "dark" }).click();
    await expect(page.locator("html")).toHaveClass(/dark/);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/dashboard-dark.png`, fullPage: true });
  } finally {
    await stop();
  }
});
