import { startAppServer } from "../test/support/app-server";
import { expect, test } from "./fixtures";

const DASHBOARD_TOKEN = "e2e-access-token-0123456789";

test("a production server without EVENTS_DASHBOARD_TOKEN keeps the dashboard closed", async ({ page, request }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "The dashboard is closed" })).toBeVisible();
  await expect(page.getByText("closed: set EVENTS_DASHBOARD_TOKEN")).toBeVisible();
  await expect(page.locator("tr[data-name]")).toHaveCount(0);
  expect((await request.get("/api/events/monitor-token")).status()).toBe(403);
  expect((await request.post("/api/dashboard/session", { data: { token: "anything-at-all-123" } })).status()).toBe(403);
});

test("a production server with EVENTS_DASHBOARD_TOKEN asks for it once, then admits", async ({ page }) => {
  const server = await startAppServer({ env: { EVENTS_DASHBOARD_TOKEN: DASHBOARD_TOKEN } });
  try {
    await page.goto(server.url);
    await expect(page.getByRole("heading", { name: "Sign in to the dashboard" })).toBeVisible();
    await expect(page.locator("tr[data-name]")).toHaveCount(0);
    expect((await page.request.get(`${server.url}/api/events/monitor-token`)).status()).toBe(401);
    const html = await (await page.request.get(server.url)).text();
    expect(html).not.toContain(DASHBOARD_TOKEN);
    expect(html).not.toContain("integration-test-secret-key");

    await page.getByLabel("Dashboard token").fill("not-the-token-at-all");
    await page.getByRole("button", { name: "Open the dashboard" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("That is not the dashboard token");

    await page.getByLabel("Dashboard token").fill(DASHBOARD_TOKEN);
    await page.getByRole("button", { name: "Open the dashboard" }).click();
    await expect(page.getByRole("heading", { name: "Dashboard · Webfluid Events" })).toBeVisible();
    await expect(page.locator('tr[data-name="model:created"]')).toContainText("public");
    await expect(page.locator('[data-testid="connection-state"][data-monitor="active"]')).toHaveText("Connected");

    const [session] = (await page.context().cookies()).filter((cookie) => cookie.name === "wf_dashboard");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    expect(session!.value).not.toContain(DASHBOARD_TOKEN);
    const token = await page.request.get(`${server.url}/api/events/monitor-token`);
    expect(token.status()).toBe(200);
    expect(await token.json()).toMatchObject({ token: expect.stringMatching(/^[0-9a-z]+\.[\w-]+\.[\w-]{43}$/) });

    await page.reload();
    await expect(page.getByRole("heading", { name: "Dashboard · Webfluid Events" })).toBeVisible();

    // Sign out ends the session on the server: the dashboard asks again, and a copy of the cookie is worthless.
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByRole("heading", { name: "Sign in to the dashboard" })).toBeVisible();
    const copied = await page.request.get(`${server.url}/api/events/monitor-token`, { headers: { cookie: `wf_dashboard=${session!.value}` } });
    expect(copied.status()).toBe(401);
  } finally {
    await server.stop();
  }
});
