import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "@playwright/test";
import { startAppServer, type AppServer } from "../test/support/app-server";
import { expect, test as base } from "./fixtures";
import "./page-events";

const DASHBOARD_TOKEN = "e2e-csp-dashboard-token-0123456789";

declare global {
  interface Window {
    /** Filled by the init script below: every `securitypolicyviolation` the page saw. */
    cspViolations: string[];
  }
}

/**
 * `csp`: what the page's Content-Security-Policy refused — `securitypolicyviolation` events
 * (collected from before the page's first script) and Chromium's "Refused to …" console lines.
 */
const test = base.extend<{ csp: { violations: () => Promise<string[]> } }, { app: AppServer }>({
  app: [
    async ({}, use) => {
      const server = await startAppServer({ env: { EVENTS_DASHBOARD_TOKEN: DASHBOARD_TOKEN } });
      await use(server);
      await server.stop();
    },
    { scope: "worker" },
  ],
  csp: async ({ page }, use) => {
    const refused: string[] = [];
    page.on("console", (message) => {
      if (isCspMessage(message.text())) refused.push(message.text());
    });
    await page.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener("securitypolicyviolation", (event) => {
        window.cspViolations.push(`${event.effectiveDirective} refused ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`);
      });
    });
    await use({ violations: async () => [...(await page.evaluate(() => window.cspViolations)), ...refused] });
  },
});

/** Chromium's console lines for what a policy blocked: "Refused to execute inline script …", "Framing '…' violates …". */
function isCspMessage(text: string): boolean {
  return text.startsWith("Refused to") || text.includes("violates the following Content Security Policy directive");
}

async function addModel(baseUrl: string, value: string): Promise<void> {
  const response = await fetch(`${baseUrl}/api/models`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ value }) });
  expect(response.status).toBe(200);
}

function expectStrictPolicy(headers: Record<string, string>): void {
  expect(headers["content-security-policy"]).toMatch(/^default-src 'self'; script-src 'self' 'nonce-[A-Za-z0-9+/=]+'; /);
  expect(headers["content-security-policy"]).not.toContain("unsafe-eval");
  expect(headers["x-frame-options"]).toBe("DENY");
}

test("the dashboard signs in, connects and shows live traffic without a single CSP violation", async ({ page, app, csp }) => {
  const response = await page.goto("/");
  expectStrictPolicy(response!.headers());
  // The sign-in form posts with fetch, then the router refreshes the page.
  await page.getByLabel("Dashboard token").fill(DASHBOARD_TOKEN);
  await page.getByRole("button", { name: "Open the dashboard" }).click();
  await expect(page.locator('[data-testid="connection-state"][data-monitor="active"]')).toHaveText("Connected");

  expect(await page.evaluate(() => typeof window.wf.ext.events.EventManager)).toBe("function");
  // The layout's inline theme script ran (it carries the nonce).
  expect(await page.evaluate(() => document.documentElement.style.colorScheme)).toMatch(/^(light|dark)$/);
  await addModel(app.url, "seen under the CSP");
  await expect(page.locator('li[data-name="model:created"]').first()).toBeVisible();

  expect(await csp.violations()).toEqual([]);
});

test("the demo page is live and adds models without a single CSP violation", async ({ page, csp }) => {
  const response = await page.goto("/demo");
  expectStrictPolicy(response!.headers());
  await expect(page.getByTestId("demo-status")).toHaveText("live: subscribed to model:created");
  expect(await page.evaluate(() => typeof window.wf.ext.events.EventManager)).toBe("function");

  await page.getByLabel("New model").fill("added under the CSP");
  await page.getByRole("button", { name: "Add model" }).click();
  await expect(page.getByRole("list", { name: "Models" })).toContainText("added under the CSP");

  expect(await csp.violations()).toEqual([]);
});

test("without JavaScript the sign-in form still posts and lands on the dashboard (form-action 'self')", async ({ browser, app }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, baseURL: app.url });
  try {
    const page = await context.newPage();
    await page.goto("/");
    await page.getByLabel("Dashboard token").fill(DASHBOARD_TOKEN);
    await page.getByRole("button", { name: "Open the dashboard" }).click();
    await expect(page.getByRole("heading", { name: "Dashboard · Webfluid Events" })).toBeVisible();
    expect(new URL(page.url()).pathname).toBe("/");
  } finally {
    await context.close();
  }
});

/** A page on another origin (another port) that frames the app: clickjacking. */
async function startFramingSite(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const html = `<!doctype html><title>framer</title><iframe id="victim" src="${target}" width="800" height="600"></iframe>`;
  const server: Server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(html));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function framedApp(page: Page, appUrl: string) {
  await expect.poll(() => page.frames().length).toBe(2);
  const frame = page.frames().find((candidate) => candidate !== page.mainFrame())!;
  await frame.waitForLoadState();
  return { frame, showsApp: frame.url().startsWith(appUrl) && (await frame.locator("body").count()) > 0 && (await frame.getByRole("heading").count()) > 0 };
}

test("another site cannot frame the app's pages", async ({ page, app }) => {
  const refused: string[] = [];
  page.on("console", (message) => {
    if (isCspMessage(message.text())) refused.push(message.text());
  });
  for (const path of ["/", "/demo"]) {
    const framer = await startFramingSite(`${app.url}${path}`);
    try {
      await page.goto(framer.url);
      const { frame, showsApp } = await framedApp(page, app.url);
      expect(showsApp, `the frame shows ${frame.url()}`).toBe(false);
      expect(frame.url()).toBe("chrome-error://chromewebdata/"); // Chromium's page for a blocked frame
    } finally {
      await framer.close();
    }
  }
  expect(refused).toHaveLength(2);
  for (const message of refused) expect(message).toMatch(/^Framing 'http:\/\/127\.0\.0\.1:\d+\/' violates the following Content Security Policy directive: "frame-ancestors 'none'"/);
});

