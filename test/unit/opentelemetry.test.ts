import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "@/lib/events/core/logger";
import { TRACER_NAME } from "@/lib/events/core/spans";

// What this proves: with an SDK registered as an app would (NodeTracerProvider: an
// AsyncLocalStorage context manager), a POST to the real route handler of /api/models, run inside
// a span standing for the one Next opens around a route (Next's own needs its tracer set up by
// `next start`), produces route → trigger → handler spans, each the parent of the next. What it
// does not prove: that Next's own span is the active one in a running server; that is
// test/integration/opentelemetry-route.test.ts, against the production server.
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const directory = mkdtempSync(join(tmpdir(), "wf-otel-"));

let POST: (request: Request) => Promise<Response>;
let events: typeof import("@/lib/events").events;

beforeAll(async () => {
  process.env.DATABASE_PATH = join(directory, "app.db");
  provider.register();
  ({ events } = await import("@/lib/events"));
  events.configure({ logger: silentLogger });
  await import("@/events");
  ({ POST } = await import("@/app/api/models/route"));
});

afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
  rmSync(directory, { recursive: true, force: true });
});

const byName = (spans: ReadableSpan[], name: string) => spans.find((span) => span.name === name);
const parentOf = (span: ReadableSpan | undefined) => span?.parentSpanContext?.spanId;

describe("OpenTelemetry", () => {
  it("a POST /api/models makes route → trigger → handler spans, each the child of the one before", async () => {
    exporter.reset();
    const response = await trace.getTracer("test-route").startActiveSpan("POST /api/models", { kind: SpanKind.SERVER }, async (route) => {
      try {
        return await POST(new Request("http://localhost/api/models", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ value: "traced" }) }));
      } finally {
        route.end();
      }
    });
    expect(response.status).toBe(200);
    const spans = exporter.getFinishedSpans();
    const route = byName(spans, "POST /api/models");
    const trigger = byName(spans, "trigger model:created");
    const handler = byName(spans, "handler logNewModel");
    expect(route && trigger && handler, `spans: ${spans.map((span) => span.name).join(", ")}`).toBeTruthy();
    expect(parentOf(trigger)).toBe(route!.spanContext().spanId);
    expect(parentOf(handler)).toBe(trigger!.spanContext().spanId);
    expect(new Set([route, trigger, handler].map((span) => span!.spanContext().traceId)).size).toBe(1);
    expect(trigger!.instrumentationScope.name).toBe(TRACER_NAME);
    const { model_id } = (await response.json()) as { model_id: number };
    expect(trigger!.attributes).toMatchObject({ "events.name": "model:created", "events.kind": "trigger", "events.id": expect.stringMatching(/-\d+$/) });
    expect(model_id).toBeGreaterThan(0);
    expect(handler!.attributes["code.filepath"]).toMatch(/^events\/models\.ts:\d+$/);
  });

  it("a failing handler's span carries the error; a request is a span with a child per answer", async () => {
    exporter.reset();
    events.createSignal("otel:test", { internal: true });
    events.event("otel:test" as never, function failsHere(_: unknown) {
      throw new Error("broken on purpose");
    });
    await events.trigger("otel:test" as never, null as never);
    await events.request("model:count");
    const spans = exporter.getFinishedSpans();
    const failing = byName(spans, "handler failsHere");
    expect(failing?.status).toEqual({ code: SpanStatusCode.ERROR, message: "broken on purpose" });
    expect(failing?.events.map((event) => event.name)).toEqual(["exception"]);
    const request = byName(spans, "request model:count");
    expect(parentOf(byName(spans, "handler countAllModels"))).toBe(request?.spanContext().spanId);
    // No route span is active here: the trigger is a root of its own trace.
    expect(byName(spans, "trigger otel:test")?.parentSpanContext).toBeUndefined();
  });
});
