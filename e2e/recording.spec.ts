import { readFile } from "node:fs/promises";
import type { Page } from "@playwright/test";
import { dashboardTest as test, expect } from "./fixtures";
import "./page-events";

const traces = (page: Page) => page.getByRole("list", { name: "Traces, newest first" }).getByRole("listitem");

async function addModel(baseUrl: string, value: string): Promise<void> {
  const response = await fetch(`${baseUrl}/api/models`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ value }) });
  expect(response.status).toBe(200);
}

test("a recording exported and imported shows the same rows, read-only, until Back to live", async ({ dashboard, app }) => {
  await dashboard.getByRole("button", { name: "Record" }).click();
  for (const value of ["recorded one", "recorded two", "recorded three"]) await addModel(app.url, value);
  await expect(traces(dashboard).filter({ hasText: "recorded three" })).toBeVisible();
  await expect(dashboard.getByTestId("recording-size")).toHaveText(/^[3-9]\d* traces · [\d.]+ (B|KB) of 50\.0 MB$/);
  await dashboard.getByRole("button", { name: "Stop recording" }).click();
  // This is a production server: a recording is never replayed into it (and it would refuse).
  await expect(dashboard.getByRole("button", { name: "Replay recording" })).toHaveCount(0);

  const recordedRows = await traces(dashboard).filter({ hasText: "recorded" }).allTextContents();
  expect(recordedRows).toHaveLength(3);

  const [download] = await Promise.all([dashboard.waitForEvent("download"), dashboard.getByRole("button", { name: "Export", exact: true }).click()]);
  expect(download.suggestedFilename()).toMatch(/^webfluid-events-[\w-]+\.ndjson$/);
  const file = await download.path();
  const [header, ...lines] = (await readFile(file, "utf8")).trimEnd().split("\n");
  expect(JSON.parse(header!)).toMatchObject({ format: "webfluid-events.traces", app: "webfluid-events", protocol: 1, source: "recording" });
  expect(lines.map((line) => JSON.parse(line).name)).toContain("model:created");

  // Live traffic after the export is not in the file, and the imported view does not show it.
  await dashboard.getByRole("button", { name: "Clear" }).click();
  await addModel(app.url, "after the recording");
  await expect(traces(dashboard).filter({ hasText: "after the recording" })).toBeVisible();

  await dashboard.getByTestId("import-file").setInputFiles(file);
  await expect(dashboard.getByTestId("imported-banner")).toContainText(`${lines.length} traces`);
  await expect(traces(dashboard).filter({ hasText: "recorded" })).toHaveText(recordedRows);
  await expect(traces(dashboard).filter({ hasText: "after the recording" })).toHaveCount(0);
  await addModel(app.url, "while viewing the file");
  await expect(dashboard.getByTestId("arrived-while-paused")).toHaveCount(0);
  await expect(traces(dashboard).filter({ hasText: "while viewing the file" })).toHaveCount(0);

  // The same filters and detail as live traffic.
  await traces(dashboard).filter({ hasText: "recorded two" }).click();
  await expect(dashboard.getByTestId("trace-detail").getByRole("region", { name: "Payload" })).toContainText('"value": "recorded two"');

  await dashboard.getByRole("button", { name: "Back to live" }).click();
  await expect(dashboard.getByTestId("imported-banner")).toHaveCount(0);
  await expect(traces(dashboard).filter({ hasText: "while viewing the file" })).toBeVisible();
});

test("a file that is not an export is refused with the reason, and the live list stays", async ({ dashboard }) => {
  await dashboard.getByTestId("import-file").setInputFiles({ name: "notes.ndjson", mimeType: "application/x-ndjson", buffer: Buffer.from('{"hello":"world"}\n') });
  await expect(dashboard.getByRole("alert").filter({ hasText: "Import failed" })).toContainText("Line 1 is not a Webfluid Events export header");
  await expect(dashboard.getByTestId("imported-banner")).toHaveCount(0);
});
