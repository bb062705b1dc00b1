/**
 * Next calls `register` once per server process, before the first request (with `server.ts`
 * too). The bus reports its spans through `@opentelemetry/api` — a trigger or request, with a
 * child per handler, below the route's span — and that API does nothing until an SDK is
 * registered. None is by default: set `OTEL_TRACES_EXPORTER=console` to print every span (a
 * start for your own exporter: see instrumentation.node.ts).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || !process.env.OTEL_TRACES_EXPORTER) return;
  const { registerTracing } = await import("./instrumentation.node");
  registerTracing(process.env.OTEL_TRACES_EXPORTER);
}
