import type { Page } from "@playwright/test";
import { dashboardTest as test, expect } from "./fixtures";

const connectionsPanel = (page: Page) => page.getByRole("region", { name: "Connections" });
/** The rows of browser pages (not dashboards) subscribed to model:created. */
const demoRows = (page: Page) => connectionsPanel(page).locator("tr[data-connection]").filter({ hasText: "model:created" }).filter({ hasNotText: "monitor" });

test("a /demo page shows in Connections with model:created; Disconnect closes it, it comes back and still receives", async ({ dashboard, browser, app }) => {
  const visitor = await browser.newContext({ baseURL: app.url });
  try {
    const demo = await visitor.newPage();
    await demo.goto("/demo");
    await expect(demo.getByTestId("demo-status")).toHaveText("live: subscribed to model:created");

    // The registry's Browsers figure opens the list of that event's subscribers.
    await dashboard.locator('tr[data-name="model:created"]').getByRole("button", { name: /browser subscribed to model:created/ }).click();
    await expect(connectionsPanel(dashboard).getByRole("searchbox", { name: "Search connections" })).toHaveValue("model:created");
    await expect(demoRows(dashboard)).toHaveCount(1);
    const row = demoRows(dashboard).first();
    const firstId = await row.getAttribute("data-connection");
    await expect(row).toContainText("Chrome");
    await expect(row).toContainText(app.url);
    await expect(connectionsPanel(dashboard).getByTestId("connections-summary")).toContainText('matching "model:created"');

    // Disconnect asks first; Cancel leaves it be.
    await row.getByRole("button", { name: /^Disconnect / }).click();
    await row.getByRole("button", { name: "Cancel" }).click();
    await expect(row.getByRole("button", { name: /^Disconnect / })).toBeVisible();
    await row.getByRole("button", { name: /^Disconnect / }).click();
    await row.getByRole("button", { name: "Confirm" }).click();
    await expect(connectionsPanel(dashboard).getByRole("status")).toContainText(`Disconnected ${firstId}`);

    // The page reconnects by itself as a new connection, subscribed again.
    await expect(demoRows(dashboard)).toHaveCount(1);
    await expect(demoRows(dashboard).first()).not.toHaveAttribute("data-connection", firstId!, { timeout: 15_000 });
    await expect(demo.getByTestId("demo-status")).toHaveText("live: subscribed to model:created");
    const response = await fetch(`${app.url}/api/models`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ value: "after the disconnect" }) });
    expect(response.status).toBe(200);
    await expect(demo.getByRole("list", { name: "Models" })).toContainText("after the disconnect");

    // The traffic says who did it.
    const record = dashboard.getByRole("list", { name: "Traces, newest first" }).getByRole("listitem").filter({ hasText: "wf:disconnected" });
    await expect(record).toHaveCount(1);
    await expect(record).toContainText(firstId!);
  } finally {
    await visitor.close();
  }
});

test("Connections lists who is on each presence-tracked event", async ({ dashboard, browser, app }) => {
  const visitor = await browser.newContext({ baseURL: app.url });
  try {
    await visitor.addCookies([{ name: "wf_demo_name", value: "Grace", url: app.url }]);
    const demo = await visitor.newPage();
    await demo.goto("/demo");
    await expect(demo.getByTestId("here-count")).toHaveText("1 on this page");
    await expect(connectionsPanel(dashboard).locator('[data-presence="demo:here"]')).toContainText("1: Grace");
  } finally {
    await visitor.close();
  }
  await expect(connectionsPanel(dashboard).locator('[data-presence="demo:here"]')).toContainText("nobody");
});
