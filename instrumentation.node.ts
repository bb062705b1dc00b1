import { ConsoleSpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

/**
 * Registers an OpenTelemetry SDK for this process: a tracer provider with an AsyncLocalStorage
 * context manager, so that the bus's trigger span becomes a child of the route's span and each
 * handler's span a child of the trigger's. `console` prints each span as it ends; for a
 * collector, install `@opentelemetry/exporter-trace-otlp-http` and hand a `BatchSpanProcessor`
 * of its `OTLPTraceExporter` to the provider instead. The SDK packages are development
 * dependencies of this repository: an app that traces in production moves them to its
 * dependencies.
 */
export function registerTracing(exporter: string): void {
  if (exporter !== "console") {
    console.warn(`OTEL_TRACES_EXPORTER="${exporter}" is not wired in instrumentation.node.ts (only "console" is): no spans are exported`);
    return;
  }
  new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] }).register();
}
