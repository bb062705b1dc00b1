import { test as base, expect, type Page } from "@playwright/test";
import { startAppServer, type AppServer } from "../test/support/app-server";

/**
 * `app`: a production server of this app for the worker, on a free port with a fresh database.
 * Tests that need to stop or restart a server start their own with `startAppServer`.
 */
export const test = base.extend<object, { app: AppServer }>({
  app: [
    async ({}, use) => {
      const server = await startAppServer();
      await use(server);
      await server.stop();
    },
    { scope: "worker" },
  ],
  baseURL: async ({ app }, use) => use(app.url),
});

export const DASHBOARD_TOKEN = "e2e-dashboard-token-0123456789";

/**
 * The worker's production server, with its dashboard opened by a token (without one, production
 * keeps it closed: see dashboard-access.spec.ts). `dashboard`: a page signed in and monitoring.
 */
export const dashboardTest = test.extend<{ dashboard: Page }, { app: AppServer }>({
  app: [
    async ({}, use) => {
      const server = await startAppServer({ env: { EVENTS_DASHBOARD_TOKEN: DASHBOARD_TOKEN } });
      await use(server);
      await server.stop();
    },
    { scope: "worker" },
  ],
  dashboard: async ({ page }, use) => {
    const signIn = await page.request.post("/api/dashboard/session", { data: { token: DASHBOARD_TOKEN } });
    expect(signIn.status()).toBe(200);
    await page.goto("/");
    await expect(page.locator('[data-testid="connection-state"][data-monitor="active"]')).toHaveText("Connected");
    await use(page);
  },
});

export { expect };
