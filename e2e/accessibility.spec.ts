import { AxeBuilder } from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { dashboardTest as test, expect } from "./fixtures";

/** WCAG 2.1 A and AA, as axe checks them. */
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/** The serious and critical violations on the page as it is now, each with where it is. */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help}\n  ${violation.nodes.map((node) => node.target.join(" ")).join("\n  ")}`);
}

test("the dashboard, with traffic and a trace open, has no serious or critical axe violations, light or dark", async ({ dashboard, app }) => {
  const demo = await dashboard.context().newPage();
  await demo.goto("/demo");
  await expect(demo.getByTestId("demo-status")).toHaveText("live: subscribed to model:created");
  const response = await fetch(`${app.url}/api/models`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ value: "for axe" }) });
  expect(response.status).toBe(200);
  const row = dashboard.getByRole("list", { name: "Traces, newest first" }).getByRole("listitem").filter({ hasText: "for axe" });
  await row.click();
  await expect(dashboard.getByTestId("trace-detail")).toBeVisible();
  await expect(dashboard.getByRole("region", { name: "Connections" }).locator("tr[data-connection]").first()).toBeVisible();

  for (const theme of ["light", "dark"] as const) {
    await dashboard.getByRole("group", { name: "Theme" }).getByRole("button", { name: theme }).click();
    await expect(dashboard.locator("html")).toHaveClass(theme === "dark" ? /dark/ : /^(?!.*dark)/);
    expect(await seriousViolations(dashboard), `axe on / (${theme})`).toEqual([]);
  }
});

test("/demo has no serious or critical axe violations", async ({ page }) => {
  await page.goto("/demo");
  await expect(page.getByTestId("demo-status")).toHaveText("live: subscribed to model:created");
  await expect(page.getByTestId("here-count")).toHaveText("1 on this page");
  expect(await seriousViolations(page), "axe on /demo").toEqual([]);
});

test("the sign-in page has no serious or critical axe violations", async ({ browser, app }) => {
  const stranger = await browser.newContext({ baseURL: app.url });
  try {
    const page = await stranger.newPage();
    await page.goto("/");
    await expect(page.getByLabel("Dashboard token")).toBeVisible();
    expect(await seriousViolations(page), "axe on the sign-in page").toEqual([]);
  } finally {
    await stranger.close();
  }
});

test("traffic rows say what each value is, Pause does not also claim to be pressed, and the registry says how many rows are below", async ({ dashboard, app }) => {
  const response = await fetch(`${app.url}/api/models`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ value: "labelled" }) });
  expect(response.status).toBe(200);
  const list = dashboard.getByRole("list", { name: "Traces, newest first" });
  await expect(list.getByRole("button", { name: /^trigger model:created from server at [\d:.]+: 1 handler, \d+ browsers?, [\d.]+ m?s, ok\. Payload: .*labelled/ })).toBeVisible();

  const pause = dashboard.getByRole("button", { name: "Pause" });
  await expect(pause).not.toHaveAttribute("aria-pressed");
  await pause.click();
  await expect(dashboard.getByRole("button", { name: "Resume" })).not.toHaveAttribute("aria-pressed");

  // A short window shows only part of the registry: the rest is counted, and scrolling reveals it.
  await dashboard.setViewportSize({ width: 1280, height: 500 });
  const registry = dashboard.getByRole("region", { name: "Registry" });
  const box = registry.locator("div.overflow-auto").first();
  await box.evaluate((element) => (element.style.maxHeight = "8rem"));
  await box.evaluate((element) => element.dispatchEvent(new Event("scroll")));
  await expect(registry.getByTestId("registry-more")).toHaveText(/^\d+ more names below: scroll for them$/);
  await box.evaluate((element) => element.scrollTo(0, element.scrollHeight));
  await expect(registry.getByTestId("registry-more")).toHaveCount(0);
});
