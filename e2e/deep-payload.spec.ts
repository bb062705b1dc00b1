import type { Page } from "@playwright/test";
import { dashboardTest as test, expect } from "./fixtures";

/** Deep enough to overflow the call stack of a renderer that nests an element per level. */
const DEPTH = 2_040;

const traces = (page: Page) => page.getByRole("list", { name: "Traces, newest first" }).getByRole("listitem");

test("a payload nested 2,040 levels deep shows in the trace detail and opens one level at a time", async ({ dashboard }) => {
  const pageErrors: string[] = [];
  dashboard.on("pageerror", (error) => pageErrors.push(error.message));
  // The nested tree this replaced took the whole tab down with it.
  dashboard.on("crash", () => pageErrors.push("the page crashed"));
  // 4,080 characters: under the trace's 4 KB preview limit, so the dashboard gets the value itself.
  const deep = `${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}`;

  const fire = dashboard.getByRole("region", { name: "Fire" });
  await fire.getByLabel("Event or query").selectOption("demo:ping");
  await fire.getByRole("button", { name: "JSON" }).click();
  await fire.getByLabel("Payload (JSON; empty for none)").fill(deep);
  await fire.getByRole("button", { name: "Trigger" }).click();
  // demo:ping wants an object: the server refuses the payload and traces it as it came.
  await expect(fire.getByTestId("fire-outcome")).toContainText("invalid_payload");

  const row = traces(dashboard).filter({ hasText: "demo:ping" }).filter({ hasText: "[[[[" });
  await expect(row).toBeVisible();
  await row.click();
  const payload = dashboard.getByTestId("trace-detail").getByRole("region", { name: "Payload" });
  // Two levels open (the tree's openDepth), the third closed with its size.
  await expect(payload.getByRole("button", { expanded: true })).toHaveCount(2);
  const closed = payload.getByRole("button", { expanded: false });
  await expect(closed).toHaveCount(1);
  await expect(closed).toContainText("[ 1 item ]");
  await expect(payload.locator("[data-depth]")).toHaveCount(5); // three openings, two closings

  await closed.click();
  await expect(payload.getByRole("button", { expanded: true })).toHaveCount(3);
  await expect(payload.getByRole("button", { expanded: false })).toHaveCount(1);
  await expect(payload.locator('[data-depth="3"]')).toContainText("[ 1 item ]");

  // The toggles are buttons: the keyboard opens the next level too.
  await dashboard.keyboard.press("Tab");
  await dashboard.keyboard.press("Enter");
  await expect(payload.getByRole("button", { expanded: true })).toHaveCount(4);
  await expect(payload.locator('[data-depth="4"]')).toContainText("[ 1 item ]");

  await payload.getByRole("button", { expanded: true }).first().click();
  await expect(payload.locator("[data-depth]")).toHaveCount(1); // the root, closed
  expect(pageErrors).toEqual([]);
});
