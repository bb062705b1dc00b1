import type { Page } from "@playwright/test";
import { dashboardTest as test, expect } from "./fixtures";
import "./page-events";

// Handler spans, Replay and "Edit and fire", as a user meets them on the dashboard: the app's
// internal demo:two-handlers has a slow handler and one that fails on purpose (events/demo.ts).

const traces = (page: Page) => page.getByRole("list", { name: "Traces, newest first" }).getByRole("listitem");
const firePanel = (page: Page) => page.getByRole("region", { name: "Fire" });

async function triggerTwoHandlers(page: Page, note: string): Promise<void> {
  const fire = firePanel(page);
  await fire.getByLabel("Event or query").selectOption("demo:two-handlers");
  await fire.getByRole("button", { name: "JSON" }).click();
  await fire.getByLabel("Payload (JSON; empty for none)").fill(JSON.stringify({ note }));
  await fire.getByRole("button", { name: "Trigger" }).click();
  await expect(fire.getByTestId("fire-outcome")).toContainText(/handlers failed\s*1/);
}

test("a trigger with two handlers, one failing, shows two spans on one time axis, the failure marked with its code, message and stack", async ({ dashboard }) => {
  await triggerTwoHandlers(dashboard, "spans e2e");
  const row = traces(dashboard).filter({ hasText: "demo:two-handlers" });
  await expect(row).toHaveCount(1);
  await row.click();

  const waterfall = dashboard.getByTestId("trace-detail").getByRole("region", { name: "Handler spans" });
  const spans = waterfall.getByTestId("span");
  await expect(spans).toHaveCount(2);
  const slow = spans.filter({ hasText: "keepsTheNote" });
  const failing = spans.filter({ hasText: "failsOnPurpose" });
  await expect(slow).toHaveAttribute("data-outcome", "ok");
  await expect(slow).toHaveAttribute("data-slowest", "true");
  await expect(slow).toContainText("slowest");
  await expect(slow).toContainText("events/demo.ts:");
  await expect(failing).toHaveAttribute("data-outcome", "error");
  await expect(failing).toContainText("handler_error");
  await expect(failing).toContainText("the demo's second handler fails on purpose (note: spans e2e)");
  // Each bar says in words what it shows.
  await expect(waterfall.getByRole("img", { name: /^keepsTheNote \(events\/demo\.ts:\d+\): started at .+, took \d+ ms, ok\. The slowest$/ })).toBeVisible();
  await expect(waterfall.getByRole("img", { name: /^failsOnPurpose .*failed: handler_error: the demo's second handler fails on purpose/ })).toBeVisible();
  // The failing bar is drawn red (Tailwind's rose), the other is not.
  await expect(failing.getByRole("img")).toHaveClass(/bg-rose-600/);
  await expect(slow.getByRole("img")).not.toHaveClass(/bg-rose/);
  // The server-side stack, behind a disclosure: this is a monitor session.
  const stack = failing.getByText(/at failsOnPurpose/);
  await expect(stack).toBeHidden();
  await failing.getByText("Server stack").click();
  await expect(stack).toBeVisible();
});

test("Replay fires the same payload again, and the new row links to the original", async ({ dashboard }) => {
  await triggerTwoHandlers(dashboard, "replay me");
  const original = traces(dashboard).filter({ hasText: "replay me" });
  await expect(original).toHaveCount(1);
  const originalId = await original.getAttribute("data-trace-id");
  expect(originalId).toMatch(/-\d+$/);

  await original.getByRole("button", { name: /^Replay trigger demo:two-handlers/ }).click();
  const replay = traces(dashboard).filter({ hasText: "replay me" }).and(dashboard.locator(`[data-replay-of="${originalId}"]`));
  await expect(replay).toHaveCount(1);
  await expect(replay).toContainText('{"note":"replay me"}');
  await expect(replay.getByText("replay", { exact: true })).toBeVisible();
  expect(await replay.getAttribute("data-trace-id")).not.toBe(originalId);
  await expect(traces(dashboard).filter({ hasText: "replay me" })).toHaveCount(2);

  await replay.getByRole("button", { name: `Go to the original of this replay, ${originalId}` }).click();
  const detail = dashboard.getByTestId("trace-detail");
  await expect(detail).toContainText(originalId!);
  await expect(detail).not.toContainText("replay of");
  await expect(dashboard.locator(`li[data-trace-id="${originalId}"]`).getByRole("button", { pressed: true })).toBeVisible();
});

test("Edit and fire opens the Fire panel with the row's name and payload; a name's starting payload passes its schema", async ({ dashboard }) => {
  await triggerTwoHandlers(dashboard, "edit me");
  const fire = firePanel(dashboard);
  // Somewhere else first, so that the pre-fill is seen to come from the row.
  await fire.getByLabel("Event or query").selectOption("demo:ping");
  await traces(dashboard).filter({ hasText: "edit me" }).getByRole("button", { name: "Edit and fire demo:two-handlers with this payload" }).click();
  await expect(fire.getByLabel("Event or query")).toHaveValue("demo:two-handlers");
  await fire.getByRole("button", { name: "JSON" }).click();
  await expect(fire.getByLabel("Payload (JSON; empty for none)")).toHaveValue(JSON.stringify({ note: "edit me" }, null, 2));

  // Chosen fresh, demo:ping starts with a payload its schema accepts: triggering it at once works.
  await fire.getByLabel("Event or query").selectOption("demo:ping");
  await fire.getByRole("button", { name: "Trigger" }).click();
  await expect(fire.getByTestId("fire-outcome")).not.toHaveText("The outcome shows here.");
  await expect(fire.getByTestId("fire-outcome")).not.toContainText("invalid_payload");
  await expect(traces(dashboard).filter({ hasText: "demo:ping" }).first()).toContainText("ok");
});
