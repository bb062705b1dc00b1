import { readFileSync } from "node:fs";
import type { ConsoleMessage, Page } from "@playwright/test";
import { startAppServer, type AppServer } from "../test/support/app-server";
import { expect, test as base } from "./fixtures";

// The READMEs' browser examples, read from the files and run as written in a page of the app
// (/demo), against the app's own declarations in events/. The server answers report:summary
// (REPORTS_WORKER=1), as the client README says it must for that request to succeed.
const test = base.extend<object, { app: AppServer }>({
  app: [
    async ({}, use) => {
      const server = await startAppServer({ env: { REPORTS_WORKER: "1" } });
      await use(server);
      await server.stop();
    },
    { scope: "worker" },
  ],
});

/** The first fenced block of `language` after `marker` in `file` (relative to the repository). */
function codeBlock(file: string, marker: string, language: string): string {
  const text = readFileSync(new URL(`../${file}`, import.meta.url), "utf8");
  const from = text.indexOf(marker);
  expect(from, `${file} mentions ${JSON.stringify(marker)}`).toBeGreaterThanOrEqual(0);
  const block = new RegExp("```" + language + "\\n([\\s\\S]*?)\\n```").exec(text.slice(from));
  expect(block, `${file} has a \`\`\`${language} block after ${JSON.stringify(marker)}`).not.toBeNull();
  return block![1]!;
}

/** Runs `code` in the page as the body of an async function (a module script's top-level await). */
async function runInPage(page: Page, code: string): Promise<void> {
  await page.evaluate(`(async () => {\n${code}\n})()`);
}

/** What the page logs from now on, and its uncaught errors. */
function recordConsole(page: Page): { logs: string[]; errors: string[] } {
  const logs: string[] = [];
  const errors: string[] = [];
  page.on("console", (message: ConsoleMessage) => (message.type() === "error" ? errors : logs).push(message.text()));
  page.on("pageerror", (error) => errors.push(error.message));
  return { logs, errors };
}

test("the client README's example runs in a page: subscribe by name and pattern, presence, request report:summary, and a refused trigger", async ({ page }) => {
  const example = codeBlock("lib/events/client/README.md", "# lib/events/client", "ts");
  const [importLine, ...rest] = example.split("\n");
  expect(importLine).toMatch(/^import \{ EventManager \} from "@\/lib\/events\/client"; \/\/ or window\.wf\.ext\.events\.EventManager in a plain page$/);
  await page.goto("/demo");
  const { logs, errors } = recordConsole(page);
  // In a plain page the import is the injected client, as the example's first comment says.
  await runInPage(page, ["const { EventManager } = window.wf.ext.events;", ...rest].join("\n"));
  expect(logs).toContain("forbidden");
  // /demo's own "Who is here" makes the page a member of demo:here.
  expect(logs.find((line) => / here:/.test(line))).toMatch(/^[01] here:/);
  expect(errors).toEqual([]);
});

test("the README's browser snippet runs in a page and logs every new model", async ({ page, app }) => {
  const snippet = codeBlock("README.md", "In the browser, every page has the injected client", "js");
  await page.goto("/demo");
  const { logs, errors } = recordConsole(page);
  await runInPage(page, snippet);
  const response = await fetch(`${app.url}/api/models`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ value: "from the README" }),
  });
  expect(response.status).toBe(200);
  await expect.poll(() => logs.find((line) => line.startsWith("A model was created:"))).toContain("from the README");
  expect(errors).toEqual([]);
});
