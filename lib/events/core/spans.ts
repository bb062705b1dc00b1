import { context as otelContext, SpanKind, SpanStatusCode, trace as otelTrace, type Context, type Span, type Tracer } from "@opentelemetry/api";
import { describeError, EventsError } from "../shared/errors";
import { previewOf, SPAN_STACK_CHARS, type HandlerSpan } from "./trace";


/** The name the bus's OpenTelemetry spans are reported under. */
export const TRACER_NAME = "webfluid-events";

/**
 * The bus's tracer, got once: the API hands out a proxy that follows an SDK registered later (and
 * a no-op one until then), so an app may register its SDK after this module loaded.
 */
let cachedTracer: Tracer | undefined;
const tracer = (): Tracer => (cachedTracer ??= otelTrace.getTracer(TRACER_NAME));

/** A handler's entry: its label and where it was registered. */
export interface SpanHandler {
  readonly label: string;
  readonly source: string | null;
}

/**
 * Records the handlers of one trigger or request, once, for both audiences: handler spans for the
 * trace record (monitors) and OpenTelemetry spans (an app that registered an SDK). The trigger's
 * OpenTelemetry span is a child of whatever span is active (a route handler's); each handler's
 * span is its child and is active while the handler runs, so the app's own spans nest below it.
 * Made only when someone looks (`begin` returns undefined otherwise): an untraced trigger costs
 * no timing at all.
 */
export class RunSpans {
  readonly #spans: HandlerSpan[] = [];
  /** Spans whose handler has not settled yet. */
  readonly #open = new Set<HandlerSpan>();
  readonly #started: number;
  readonly #instance: string;
  readonly #keep: boolean;
  readonly #otel: Span | undefined;
  readonly #otelContext: Context | undefined;

  private constructor(started: number, instance: string, keep: boolean, otel: Span | undefined) {
    this.#started = started;
    this.#instance = instance;
    this.#keep = keep;
    this.#otel = otel;
    this.#otelContext = otel ? otelTrace.setSpan(otelContext.active(), otel) : undefined;
  }

  /**
   * Starts recording a trigger or request that began at `started` (`performance.now()`), when
   * monitors want its trace (`tracing`) or an OpenTelemetry SDK records it; else undefined.
   */
  static begin(kind: "trigger" | "request", name: string, instance: string, started: number, tracing: boolean): RunSpans | undefined {
    const span = tracer().startSpan(`${kind} ${name}`, {
      kind: SpanKind.INTERNAL,
      attributes: { "events.kind": kind, "events.name": name, "events.instance": instance },
    });
    const otel = span.isRecording() ? span : undefined;
    if (!otel && !tracing) return undefined;
    return new RunSpans(started, instance, tracing, otel);
  }

  /** The run's id, once it has one (events get theirs after validation). */
  identify(id: string): void {
    this.#otel?.setAttribute("events.id", id);
  }

  /** Whether an OpenTelemetry SDK records this run: handlers then run inside their own span (`within`). */
  get otel(): boolean {
    return this.#otel !== undefined;
  }

  /** Handler `handler` starts now: its span's index, for `within` and `settle`. */
  start(handler: SpanHandler): number {
    const index = this.#spans.length;
    const span: HandlerSpan = {
      handler: handler.label,
      source: handler.source,
      instance: this.#instance,
      startMs: performance.now() - this.#started,
      durationMs: 0,
      outcome: "ok",
    };
    this.#spans.push(span);
    this.#open.add(span);
    if (this.#otel) {
      const attributes = { "events.handler": handler.label, ...(handler.source ? { "code.filepath": handler.source } : {}) };
      otelChildren.set(span, tracer().startSpan(`handler ${handler.label}`, { attributes }, this.#otelContext));
    }
    return index;
  }

  /** Calls `run` inside the OpenTelemetry span of handler `index` (only needed when `otel`). */
  within<T>(index: number, run: () => T): T {
    const child = otelChildren.get(this.#spans[index]!);
    return child ? otelContext.with(otelTrace.setSpan(this.#otelContext!, child), run) : run();
  }

  /** Calls `run` as handler `handler`: timed, inside its span. Returns what `run` returned, and the span's index. */
  enter<T>(handler: SpanHandler, run: () => T): { index: number; value: T } {
    const index = this.start(handler);
    return { index, value: this.#otel ? this.within(index, run) : run() };
  }

  /** The handler behind `index` ended: with `error` when it failed, else with `value` (requests keep it). */
  settle(index: number, failed: boolean, outcome: unknown, keepValue: boolean): void {
    const span = this.#spans[index]!;
    if (!this.#open.delete(span)) return;
    span.durationMs = performance.now() - this.#started - span.startMs;
    if (failed) {
      Object.assign(span, failure(outcome));
    } else if (keepValue && this.#keep) {
      span.value = previewOf(outcome);
    }
    const child = otelChildren.get(span);
    if (!child) return;
    otelChildren.delete(span);
    if (failed) endWithError(child, outcome);
    child.end();
  }

  /** Answers from another instance: placed on this run's time axis from `askedAt` (`performance.now()`). */
  addRemote(spans: readonly HandlerSpan[], askedAt: number): void {
    const offset = askedAt - this.#started;
    for (const span of spans) this.#spans.push({ ...span, startMs: offset + span.startMs });
  }

  /**
   * The spans as the trace record carries them. A handler still running when its run ended (a
   * request that timed out, or was aborted) is shown as that: an error, with how long it had run.
   */
  recorded(): HandlerSpan[] {
    const now = performance.now() - this.#started;
    return this.#spans.map((span) =>
      this.#open.has(span)
        ? { ...span, durationMs: now - span.startMs, outcome: "error", code: "timeout", message: "Still running when the request ended" }
        : span,
    );
  }

  /** Ends the run's OpenTelemetry span (with the error, when the run failed). */
  end(error: unknown | undefined, id: string): void {
    if (!this.#otel) return;
    if (id !== "") this.#otel.setAttribute("events.id", id);
    if (error !== undefined) endWithError(this.#otel, error);
    this.#otel.end();
  }
}

/** The OpenTelemetry span of a handler span still running (a side table: spans are plain records). */
const otelChildren = new WeakMap<HandlerSpan, Span>();

/** A failed span's fields: the code (`handler_error` for what the app threw), the message, the stack. */
export function failure(error: unknown): Pick<HandlerSpan, "outcome" | "code" | "message" | "stack"> {
  const code = error instanceof EventsError ? error.code : "handler_error";
  const stack = error instanceof Error && typeof error.stack === "string" ? error.stack.slice(0, SPAN_STACK_CHARS) : undefined;
  return { outcome: "error", code, message: describeError(error), ...(stack ? { stack } : {}) };
}

function endWithError(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: describeError(error) });
  if (error instanceof Error) span.recordException(error);
}
