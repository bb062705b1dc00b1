import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import type { EventBus } from "@/lib/events";
import type { EventsTransport } from "@/lib/events/server";
import { constantTimeEqual } from "@/lib/events/server/signed-token";
import { bearerTokenOf } from "@/lib/http/bearer-token";

export interface ReadinessInputs {
  bus: EventBus;
  transport: EventsTransport | undefined;
  nextReady: () => boolean;
  redisConfigured: boolean;
}

/** `GET /healthz`: the process is up and answering. */
export function serveHealth(response: ServerResponse): void {
  json(response, 200, { status: "ok", uptimeSeconds: Math.round(process.uptime()) });
}

/**
 * `GET /readyz`: 200 when this instance should get traffic — Next prepared, the transport
 * accepting, Redis reachable when configured — else 503 saying which check failed. (The app's
 * declarations need no check: server.ts loads them before it listens.)
 */
export function serveReadiness(response: ServerResponse, inputs: ReadinessInputs): void {
  const checks: Record<string, { ok: boolean; detail?: string }> = {
    next: inputs.nextReady() ? { ok: true } : { ok: false, detail: "Next is still preparing" },
  };
  if (inputs.transport) {
    checks.transport = inputs.transport.accepting ? { ok: true } : { ok: false, detail: "shutting down: not accepting connections" };
  }
  if (inputs.redisConfigured) {
    checks.redis = inputs.bus.adapter.state === "ready" ? { ok: true } : { ok: false, detail: "Redis is unreachable: this instance delivers only to its own connections" };
  }
  const ready = Object.values(checks).every((check) => check.ok);
  json(response, ready ? 200 : 503, { status: ready ? "ready" : "not ready", instance: inputs.bus.instance, checks });
}

/**
 * `GET /metrics`: open in development; in production closed unless EVENTS_METRICS_TOKEN is set,
 * and then only with `Authorization: Bearer <token>`.
 */
export async function serveMetrics(request: IncomingMessage, response: ServerResponse, registry: Registry, production: boolean, token: string | undefined): Promise<void> {
  if (production) {
    if (!token) return json(response, 403, { error: { code: "forbidden", message: "Metrics are closed in production: set EVENTS_METRICS_TOKEN to open them" } });
    if (!bearerMatches(request.headers.authorization, token)) {
      response.setHeader("www-authenticate", 'Bearer realm="metrics"');
      return json(response, 401, { error: { code: "unauthorized", message: "Send Authorization: Bearer <EVENTS_METRICS_TOKEN>" } });
    }
  }
  response.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" }).end(await registry.metrics());
}

/** Compared in constant time, whatever the lengths: a length mismatch must not answer faster. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = bearerTokenOf(header);
  return given !== undefined && constantTimeEqual(given, token);
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" }).end(JSON.stringify(body));
}
