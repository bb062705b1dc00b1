import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/test/support/app-server";
import { waitFor } from "@/test/support/wait-for";

interface PrintedSpan {
  name: string;
  id: string;
  parent: string | null;
}

/**
 * The spans the SDK's ConsoleSpanExporter printed (util.inspect of each span, one field a line:
 * `parentSpanContext` before `name`, `id` after it), as name, id and parent id.
 */
function printedSpans(lines: readonly string[]): PrintedSpan[] {
  const spans: PrintedSpan[] = [];
  let parent: string | null = null;
  let name: string | null = null;
  for (const line of lines) {
    if (/^ {2}parentSpanContext: undefined/.test(line)) parent = null;
    else if (/^ {4}spanId: '/.test(line)) parent = /'([^']+)'/.exec(line)![1]!;
    else if (/^ {2}name: '/.test(line)) name = /'([^']+)'/.exec(line)![1]!;
    else if (/^ {2}id: '/.test(line) && name !== null) {
      spans.push({ name, id: /'([^']+)'/.exec(line)![1]!, parent });
      name = null;
    }
  }
  return spans;
}

/** The names from `span` up to its root, following parent ids. */
function ancestry(spans: readonly PrintedSpan[], span: PrintedSpan | undefined): string[] {
  const byId = new Map(spans.map((each) => [each.id, each]));
  const names: string[] = [];
  for (let current = span; current; current = current.parent ? byId.get(current.parent) : undefined) names.push(current.name);
  return names;
}

// The production server (dist/server.js, the custom server) with instrumentation.ts registering
// the SDK (OTEL_TRACES_EXPORTER=console): Next's own spans for the request, and the bus's below them.
describe("OpenTelemetry in the running server", () => {
  let app: AppServer;
  beforeAll(async () => {
    app = await startAppServer({ env: { OTEL_TRACES_EXPORTER: "console" } });
  });
  afterAll(() => app?.stop());

  it("a POST /api/models is POST /api/models ← Next's route span ← trigger model:created ← handler logNewModel, one trace", async () => {
    const response = await fetch(`${app.url}/api/models`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ value: "traced" }) });
    expect(response.status).toBe(200);
    const handler = await waitFor(() => {
      const spans = printedSpans(app.lines);
      const found = spans.find((span) => span.name === "handler logNewModel");
      return found && ancestry(spans, found).at(-1) === "POST /api/models" ? { spans, found } : undefined;
    }, "the request's spans to be printed", 10_000);
    expect(ancestry(handler.spans, handler.found)).toEqual(["handler logNewModel", "trigger model:created", "executing api route (app) /api/models", "POST /api/models"]);
  });

  it("prints nothing without OTEL_TRACES_EXPORTER: no SDK is registered by default", async () => {
    const plain = await startAppServer();
    try {
      expect((await fetch(`${plain.url}/api/models`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ value: "untraced" }) })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(printedSpans(plain.lines)).toEqual([]);
    } finally {
      await plain.stop();
    }
  });
});
