import type { Browser, BrowserContext, Page } from "@playwright/test";
import { dashboardTest as test, expect } from "./fixtures";
import { listenOnPage, received } from "./page-events";

/** A visitor of its own (own cookies, own connection) on /demo. */
async function visitDemo(browser: Browser, baseURL: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto("/demo");
  return { context, page };
}

const whoIsHere = (page: Page) => page.getByRole("region", { name: "Who is here" });
const visitors = (page: Page) => whoIsHere(page).getByRole("list", { name: "Visitors on this page" }).getByRole("listitem");

test("/demo shows who else has it open, by the name each gave, and who left", async ({ browser, app }) => {
  const ada = await visitDemo(browser, app.url);
  const grace = await visitDemo(browser, app.url);
  try {
    await expect(whoIsHere(ada.page).getByTestId("here-count")).toHaveText("2 on this page");
    await expect(visitors(ada.page)).toHaveText(["Anonymous visitor (you)", "Anonymous visitor"]);

    // Saving a name reloads the page: the new connection is identified by the cookie it carries.
    await whoIsHere(ada.page).getByLabel("Your name").fill("Ada <b>Lovelace</b>");
    await whoIsHere(ada.page).getByRole("button", { name: "Save" }).click();
    await expect(visitors(ada.page)).toHaveText(["Ada <b>Lovelace</b> (you)", "Anonymous visitor"]);
    await expect(whoIsHere(ada.page).getByLabel("Your name")).toHaveValue("Ada <b>Lovelace</b>");
    await expect(whoIsHere(ada.page).locator("b")).toHaveCount(0);
    // The other page heard the old connection leave and the new one join, with its name.
    await expect(visitors(grace.page)).toHaveText(["Anonymous visitor (you)", "Ada <b>Lovelace</b>"]);

    await grace.context.close();
    await expect(whoIsHere(ada.page).getByTestId("here-count")).toHaveText("1 on this page");
    await expect(visitors(ada.page)).toHaveText(["Ada <b>Lovelace</b> (you)"]);
  } finally {
    await ada.context.close();
    await grace.context.close();
  }
});

test("a page subscribed by pattern receives the matching events, and the dashboard counts it among their subscribers", async ({ dashboard, browser, app }) => {
  const watcher = await visitDemo(browser, app.url);
  try {
    await expect(watcher.page.getByTestId("pings-status")).toHaveText("live: subscribed to demo:ping");
    await listenOnPage(watcher.page, "demo:*");

    const fire = dashboard.getByRole("region", { name: "Fire" });
    await fire.getByLabel("Event or query").selectOption("demo:ping");
    // Two subscribers on one page's connection count once each: /demo's by name, the probe's by pattern,
    // but they share the connection, so the event reaches one browser connection.
    await expect(fire.getByTestId("fire-reach")).toHaveText("· Reaches 1 browser subscriber (by name or pattern)");
    const patternOnly = await visitDemo(browser, app.url);
    try {
      await patternOnly.page.goto("/");
      await listenOnPage(patternOnly.page, "demo:*");
      await expect(fire.getByTestId("fire-reach")).toHaveText("· Reaches 2 browser subscribers (by name or pattern)");
      await fire.getByRole("button", { name: "JSON" }).click();
      await fire.getByLabel("Payload (JSON; empty for none)").fill(JSON.stringify({ message: "to every demo:* page" }));
      await fire.getByRole("button", { name: "Trigger" }).click();
      await expect.poll(() => received(patternOnly.page)).toEqual([{ message: "to every demo:* page" }]);
      // One connection, a name and a pattern subscription: the event arrives once, each handler runs once.
      await expect.poll(() => received(watcher.page)).toEqual([{ message: "to every demo:* page" }]);
      await expect(watcher.page.getByRole("list", { name: "Pings, newest first" }).getByRole("listitem")).toHaveCount(1);
    } finally {
      await patternOnly.context.close();
    }
    await fire.getByLabel("Event or query").selectOption("cache:warmed");
    await expect(fire.getByTestId("fire-reach")).toHaveText("· Internal: reaches no browser");
  } finally {
    await watcher.context.close();
  }
});
