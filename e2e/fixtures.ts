import { test as base } from "@playwright/test";
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

export { expect } from "@playwright/test";
