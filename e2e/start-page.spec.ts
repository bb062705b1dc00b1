import { expect, test } from "./fixtures";

test("the start page lists the app's declarations", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Webfluid Events" })).toBeVisible();
  const created = page.locator('tr[data-name="model:created"]');
  await expect(created).toContainText("public");
  await expect(page.locator('tr[data-name="model:count"]')).toContainText("query");
  expect(errors).toEqual([]);
});
