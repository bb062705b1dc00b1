import { dashboardTest as test, expect } from "./fixtures";

test("a demo:ping fired from the dashboard shows on an open /demo page, as text", async ({ dashboard, browser, app }) => {
  // An anonymous visitor in a browser context of its own: /demo needs no dashboard session.
  const visitor = await browser.newContext({ baseURL: app.url });
  try {
    const demo = await visitor.newPage();
    await demo.goto("/demo");
    const pings = demo.getByRole("region", { name: "Pings" });
    await expect(pings.getByTestId("pings-status")).toHaveText("live: subscribed to demo:ping");
    await expect(pings).toContainText("No pings yet");

    const fire = dashboard.getByRole("region", { name: "Fire" });
    await fire.getByLabel("Event or query").selectOption("demo:ping");
    await fire.getByRole("button", { name: "JSON" }).click();
    await fire.getByLabel("Payload (JSON; empty for none)").fill(JSON.stringify({ message: "Deploy <b>finished</b>", urgent: true }));
    await fire.getByRole("button", { name: "Trigger" }).click();
    await expect(fire.getByTestId("fire-outcome")).toContainText("Triggered demo:ping");

    const received = pings.getByRole("list", { name: "Pings, newest first" }).getByRole("listitem");
    await expect(received).toHaveCount(1);
    await expect(received.first()).toContainText("Deploy <b>finished</b>");
    await expect(received.first()).toContainText("urgent");
    await expect(pings.locator("b")).toHaveCount(0);

    await fire.getByLabel("Payload (JSON; empty for none)").fill(JSON.stringify({ message: "second" }));
    await fire.getByRole("button", { name: "Trigger" }).click();
    await expect(received).toHaveCount(2);
    await expect(received.first()).toHaveText(/second$/);
  } finally {
    await visitor.close();
  }
});
