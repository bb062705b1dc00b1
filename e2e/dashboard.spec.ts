import type { Page } from "@playwright/test";
import { startTcpProxy } from "../test/support/tcp-proxy";
import { DASHBOARD_TOKEN, dashboardTest as test, expect } from "./fixtures";
import "./page-events";

async function addModel(baseUrl: string, value: string): Promise<number> {
  const response = await fetch(`${baseUrl}/api/models`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ value }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { model_id: number }).model_id;
}

const traces = (page: Page) => page.getByRole("list", { name: "Traces, newest first" }).getByRole("listitem");
const firePanel = (page: Page) => page.getByRole("region", { name: "Fire" });

async function openDemo(page: Page): Promise<Page> {
  const demo = await page.context().newPage();
  await demo.goto("/demo");
  await expect(demo.getByTestId("demo-status")).toHaveText("live: subscribed to model:created");
  return demo;
}

test("the registry lists every event and query with its kind, flags and schema, searchable by name", async ({ dashboard }) => {
  const created = dashboard.locator('tr[data-name="model:created"]');
  await expect(created).toContainText("event");
  await expect(created).toContainText("public");
  await expect(created).not.toContainText("internal");
  const count = dashboard.locator('tr[data-name="model:count"]');
  await expect(count).toContainText("query");
  await expect(count).toContainText("internal");
  await expect(count.getByText("singleton", { exact: true })).toBeVisible();
  const health = dashboard.locator('tr[data-name="health:check"]');
  await expect(health).toContainText("internal");
  await expect(health.getByText("singleton", { exact: true })).toHaveCount(0);

  await created.getByRole("button", { name: "Schema" }).click();
  await expect(dashboard.getByLabel("Schema of model:created")).toContainText("exclusiveMinimum");

  await dashboard.getByRole("searchbox", { name: "Search names" }).fill("model:*");
  await expect(dashboard.locator('tr[data-name="cache:warmed"]')).toHaveCount(0);
  await expect(dashboard.getByRole("rowgroup", { name: "model:*" })).toContainText("model:* · 2");
  await expect(dashboard.getByTestId("connection-state").locator("..")).toContainText(/instance [0-9a-f]+ · up \d+/);
});

test("adding a model on /demo shows its trigger in the live traffic, with its payload", async ({ dashboard }) => {
  await expect(dashboard.getByText("No traffic yet — add a model on")).toBeVisible();
  const demo = await openDemo(dashboard);
  await demo.getByRole("button", { name: "Add model" }).click();
  await expect(demo.getByRole("main").getByRole("alert")).toHaveText('"value" is required: a non-empty string');

  await demo.getByLabel("New model").fill("added on the demo page");
  const submitted = Date.now();
  await demo.getByRole("button", { name: "Add model" }).click();
  const row = traces(dashboard).filter({ hasText: "added on the demo page" });
  await expect(row).toBeVisible();
  // The issue asks for "within a second": recorded, not asserted (two busy cores make timing flaky).
  test.info().annotations.push({ type: "demo → dashboard", description: `${Date.now() - submitted} ms from the click to the row` });
  await expect(row).toContainText("model:created");
  await expect(row).toContainText("server");
  await expect(demo.getByRole("list", { name: "Models" })).toContainText("added on the demo page");

  await row.click();
  const detail = dashboard.getByTestId("trace-detail");
  await expect(detail.getByRole("region", { name: "Payload" })).toContainText('"value": "added on the demo page"');
  await expect(dashboard.locator('tr[data-name="model:created"]')).toContainText(/just now|s ago/);
});

test("an event fired from the dashboard reaches a second page subscribed to it", async ({ dashboard }) => {
  const demo = await openDemo(dashboard);
  const fire = firePanel(dashboard);
  await fire.getByLabel("Event or query").selectOption("model:created");
  await fire.getByLabel(/^id/).fill("987654");
  await fire.getByLabel(/^value/).fill("fired from the dashboard");
  await fire.getByRole("button", { name: "Trigger" }).click();

  await expect(fire.locator('[data-fact="browsers reached"]')).toHaveText("1");
  await expect(fire.locator('[data-fact="handlers ran"]')).toHaveText("1");
  await expect(demo.getByRole("listitem").filter({ hasText: "fired from the dashboard" })).toContainText("#987654");
  const row = traces(dashboard).filter({ hasText: "fired from the dashboard" });
  await expect(row).toContainText("dashboard");
  await expect(fire.getByRole("list", { name: "Fire history" })).toContainText("model:created");
});

test("requesting model:count from the dashboard shows the number of models, and fires again with one click", async ({ dashboard, app }) => {
  const total = await addModel(app.url, "one more model");
  const fire = firePanel(dashboard);
  await fire.getByLabel("Event or query").selectOption("model:count");
  await fire.getByRole("button", { name: "Request" }).click();
  await expect(fire.getByRole("group", { name: "Reply" })).toHaveText(String(total));
  await expect(traces(dashboard).filter({ hasText: "model:count" }).first()).toContainText("request");

  const next = await addModel(app.url, "and another");
  await fire.getByRole("button", { name: "Fire model:count again" }).click();
  await expect(fire.getByRole("group", { name: "Reply" })).toHaveText(String(next));
});

test("an internal event fired from the dashboard shows in its traffic, while a plain page may not subscribe to it", async ({ dashboard }) => {
  const fire = firePanel(dashboard);
  await fire.getByLabel("Event or query").selectOption("cache:warmed");
  await fire.getByLabel(/^keys/).fill("42");
  await fire.getByRole("button", { name: "Trigger" }).click();
  await expect(fire.locator('[data-fact="handlers ran"]')).toHaveText("1");
  await expect(fire.locator('[data-fact="browsers reached"]')).toHaveText("0");

  const row = traces(dashboard).filter({ hasText: "cache:warmed" });
  await expect(row).toContainText("internal");
  await expect(row).toContainText("dashboard");
  await row.click();
  await expect(dashboard.getByTestId("trace-detail").getByRole("region", { name: "Payload" })).toContainText('"keys": 42');

  const plain = await dashboard.context().newPage();
  await plain.goto("/demo");
  const refusal = await plain.evaluate(() =>
    new window.wf.ext.events.EventManager().subscribe("cache:warmed").then(
      () => "subscribed",
      (error: Error & { code?: string }) => `${error.code}: ${error.message}`,
    ),
  );
  expect(refusal).toBe('not_found: Unknown event "cache:warmed"');
});

test("pause holds the list still while events keep arriving, and resume brings them in", async ({ dashboard, app }) => {
  await addModel(app.url, "before the pause");
  await expect(traces(dashboard).first()).toContainText("before the pause");
  await dashboard.getByRole("button", { name: "Pause", exact: true }).click();

  for (const n of [1, 2, 3]) await addModel(app.url, `while paused ${n}`);
  await expect(dashboard.getByTestId("arrived-while-paused")).toHaveText("3");
  await expect(traces(dashboard).first()).toContainText("before the pause");
  await expect(traces(dashboard).filter({ hasText: "while paused" })).toHaveCount(0);

  await dashboard.getByRole("button", { name: "Resume", exact: true }).click();
  await expect(traces(dashboard).first()).toContainText("while paused 3");
  await expect(traces(dashboard).filter({ hasText: "while paused" })).toHaveCount(3);
  await expect(dashboard.getByTestId("arrived-while-paused")).toHaveCount(0);
});

test("a malicious payload is shown as text and runs nothing", async ({ dashboard }) => {
  const dialogs: string[] = [];
  const onDialog = (dialog: { message(): string; dismiss(): Promise<void> }) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  };
  dashboard.on("dialog", onDialog);
  const payload = "<img src=x onerror=alert(1)>";
  const demo = await openDemo(dashboard);
  demo.on("dialog", onDialog);
  await demo.getByLabel("New model").fill(payload);
  await demo.getByRole("button", { name: "Add model" }).click();
  await expect(demo.getByRole("list", { name: "Models" })).toContainText(payload);

  const row = traces(dashboard).filter({ hasText: payload });
  await expect(row).toBeVisible();
  await row.click();
  await expect(dashboard.getByTestId("trace-detail").getByRole("region", { name: "Payload" })).toContainText(`"${payload}"`);

  const fire = firePanel(dashboard);
  await fire.getByLabel("Event or query").selectOption("demo:ping");
  await fire.getByRole("button", { name: "JSON" }).click();
  await fire.getByLabel("Payload (JSON; empty for none)").fill(JSON.stringify({ message: "<script>alert(2)</script>" }));
  await fire.getByRole("button", { name: "Trigger" }).click();
  await expect(traces(dashboard).filter({ hasText: "<script>alert(2)</script>" })).toBeVisible();

  await expect(dashboard.locator("img")).toHaveCount(0);
  await expect(demo.locator("main img")).toHaveCount(0);
  expect(dialogs).toEqual([]);
});

test("the payload editor shows JSON errors inline, and the server's refusal as an outcome", async ({ dashboard }) => {
  const fire = firePanel(dashboard);
  await fire.getByLabel("Event or query").selectOption("demo:ping");
  await fire.getByRole("button", { name: "JSON" }).click();
  const editor = fire.getByLabel("Payload (JSON; empty for none)");
  await editor.fill('{"message": }');
  await expect(fire.getByRole("alert")).toHaveText('Line 1, column 13: Expected a value, found "}"');
  await expect(fire.getByRole("button", { name: "Trigger" })).toBeDisabled();

  await editor.fill('{"message": ""}');
  await fire.getByRole("button", { name: "Trigger" }).click();
  await expect(fire.getByTestId("fire-outcome")).toContainText("invalid_payload");
  await dashboard.getByLabel("Outcome").selectOption("error");
  await expect(traces(dashboard).first()).toContainText("demo:ping");
  await expect(traces(dashboard).first()).toContainText("invalid_payload");
});

test("the traffic filters live in the URL, so a view can be shared", async ({ dashboard }) => {
  await dashboard.getByLabel("Name", { exact: true }).fill("model:*");
  await dashboard.getByLabel("Kind").selectOption("request");
  await expect(dashboard).toHaveURL(/\?name=model%3A\*&kind=request$/);

  const shared = await dashboard.context().newPage();
  await shared.goto(dashboard.url());
  await expect(shared.getByLabel("Name", { exact: true })).toHaveValue("model:*");
  await expect(shared.getByLabel("Kind")).toHaveValue("request");
  await shared.getByRole("button", { name: "Reset" }).click();
  await expect(shared).toHaveURL(/\/$/);
});

test("after its socket is cut, the dashboard counts down, reconnects with a fresh monitor token and keeps tracing", async ({ page, app }) => {
  const proxy = await startTcpProxy(app.port);
  try {
    expect((await page.request.post("/api/dashboard/session", { data: { token: DASHBOARD_TOKEN } })).status()).toBe(200);
    await page.goto(`http://127.0.0.1:${proxy.port}/`);
    const badge = page.getByTestId("connection-state");
    await expect(page.locator('[data-testid="connection-state"][data-monitor="active"]')).toHaveText("Connected");

    proxy.refuse(true); // the network stays down until the countdown has been seen
    proxy.cut();
    await expect(badge).toHaveText(/^Reconnecting in \d+ s$/);
    // Announced once: the countdown is shown, not part of the status region.
    await expect(badge.getByRole("status")).toHaveText("Reconnecting");
    const freshToken = page.waitForResponse((response) => response.url().endsWith("/api/events/monitor-token"));
    proxy.refuse(false);
    expect((await freshToken).status()).toBe(200);
    await expect(badge).toHaveText("Connected", { timeout: 20_000 });

    await addModel(app.url, "after the cut");
    await expect(traces(page).filter({ hasText: "after the cut" })).toBeVisible();
  } finally {
    await proxy.close();
  }
});
