import type { AsyncLocalStorage } from "node:async_hooks";
import type { BusAdapter, PeerAnswer } from "./adapter";
import type { Settled } from "./bus-types";
import type { Declaration } from "./declarations";
import { withDeadline } from "./deadline";
import { describeError, HandlerError, NoHandlerError, TimeoutError } from "../shared/errors";
import type { Logger } from "./logger";
import { runHandler } from "./run-handler";
import { failure, type RunSpans } from "./spans";
import type { HandlerSpan } from "./trace";
import type { HandlerContext } from "./types";

export interface QueryRun {
  declaration: Declaration;
  data: unknown;
  context: HandlerContext;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  storage: AsyncLocalStorage<HandlerContext>;
  adapter: BusAdapter;
  /** Set when someone looks at this request's handlers (monitors, an OpenTelemetry SDK). */
  spans?: RunSpans | undefined;
}

/**
 * Every answer to one request, in order: this instance's handlers (registration order), then
 * each peer instance's (by instance id). A singleton query is answered by this instance when it
 * has the handler, else by the one peer that does. Nobody to ask: `no_handler`, at once.
 */
export async function collectAnswers(run: QueryRun): Promise<Settled<unknown>[]> {
  const { declaration, context } = run;
  const local = declaration.handlers;
  let peers = local.length > 0 && declaration.singleton ? [] : run.adapter.peersAnswering(declaration.name);
  if (declaration.singleton) peers = peers.slice(0, 1);
  if (local.length === 0 && peers.length === 0) throw new NoHandlerError(`Query "${declaration.name}" has no handler`);
  if (run.spans) return collectTracedAnswers(run, peers, run.spans);
  if (peers.length === 0 && local.length === 1) {
    // The common case, one local handler: a synchronous answer needs no timer and no promise chain.
    const handler = local[0]!;
    let value: unknown;
    try {
      value = run.storage.run({ ...context }, handler.fn, run.data);
    } catch (error) {
      return [{ ok: false, handler: handler.label, error }];
    }
    if (typeof (value as { then?: unknown } | null)?.then !== "function") return [{ ok: true, handler: handler.label, value }];
    const settled = Promise.resolve(value).then(
      (answer): Settled<unknown>[] => [{ ok: true, handler: handler.label, value: answer }],
      (error: unknown): Settled<unknown>[] => [{ ok: false, handler: handler.label, error }],
    );
    return withDeadline(settled, run.timeoutMs, run.signal, `Request "${declaration.name}"`);
  }

  const what = `Request "${declaration.name}"`;
  const localAnswers =
    local.length === 0
      ? Promise.resolve([])
      : withDeadline(answerLocally(run.storage, declaration, run.data, context), run.timeoutMs, run.signal, what);
  const peerAnswers =
    peers.length === 0 ? Promise.resolve([]) : withDeadline(run.adapter.askPeers(declaration.name, run.data, peers, run.timeoutMs, context.source), run.timeoutMs + 50, run.signal, what);
  const [mine, theirs] = await Promise.all([localAnswers, peerAnswers]);
  return [...mine, ...theirs.flatMap((answer) => fromPeer(answer, what, run.timeoutMs))];
}

/**
 * `collectAnswers` when someone looks: every local handler timed into `spans` (with its value),
 * and each peer's answers placed on the same axis from the moment it was asked.
 */
async function collectTracedAnswers(run: QueryRun, peers: readonly string[], spans: RunSpans): Promise<Settled<unknown>[]> {
  const { declaration } = run;
  const what = `Request "${declaration.name}"`;
  const localAnswers =
    declaration.handlers.length === 0
      ? Promise.resolve([])
      : withDeadline(answerLocally(run.storage, declaration, run.data, run.context, spans), run.timeoutMs, run.signal, what);
  const askedAt = performance.now();
  const peerAnswers =
    peers.length === 0 ? Promise.resolve([]) : withDeadline(run.adapter.askPeers(declaration.name, run.data, peers, run.timeoutMs, run.context.source), run.timeoutMs + 50, run.signal, what);
  const [mine, theirs] = await Promise.all([localAnswers, peerAnswers]);
  for (const answer of theirs) spans.addRemote(answer.ok ? answer.spans ?? [] : [timedOutPeer(answer, performance.now() - askedAt)], askedAt);
  return [...mine, ...theirs.flatMap((answer) => fromPeer(answer, what, run.timeoutMs))];
}

/** A peer that did not answer, as a span: from the ask until it was given up on. */
function timedOutPeer(answer: Extract<PeerAnswer, { ok: false }>, durationMs: number): HandlerSpan {
  const { stack: _stack, ...failed } = failure(answer.error ?? new TimeoutError(`Instance ${answer.instance} did not answer`));
  return { handler: `instance ${answer.instance}`, source: null, instance: answer.instance, startMs: 0, durationMs, ...failed };
}

/** This instance's handlers of a query, each in its own context, as settled outcomes. */
export async function answerLocally(
  storage: AsyncLocalStorage<HandlerContext>,
  declaration: Declaration,
  data: unknown,
  context: HandlerContext,
  spans?: RunSpans,
): Promise<Settled<unknown>[]> {
  const handlers = declaration.handlers;
  const outcomes = await Promise.allSettled(
    handlers.map((handler) => {
      if (!spans) return runHandler(storage, context, handler.fn, data);
      const { index, value } = spans.enter(handler, () => runHandler(storage, context, handler.fn, data));
      return value.then(
        (answer) => {
          spans.settle(index, false, answer, true);
          return answer;
        },
        (error: unknown) => {
          spans.settle(index, true, error, true);
          throw error;
        },
      );
    }),
  );
  return outcomes.map((outcome, index): Settled<unknown> => {
    const handler = handlers[index]!.label;
    return outcome.status === "fulfilled" ? { ok: true, handler, value: outcome.value } : { ok: false, handler, error: outcome.reason };
  });
}

function fromPeer(answer: PeerAnswer, what: string, timeoutMs: number): Settled<unknown>[] {
  if (answer.ok) return answer.outcomes.map((outcome) => ({ ...outcome, handler: `${outcome.handler} @${answer.instance}` }));
  const error = answer.error ?? new TimeoutError(`${what}: instance ${answer.instance} did not answer within ${timeoutMs} ms`);
  return [{ ok: false, handler: `instance ${answer.instance}`, error }];
}

/** The plain result of a request: the value (singleton) or the list; every failure in one `HandlerError`. */
export function resultOf(declaration: Declaration, outcomes: Settled<unknown>[], logger: Logger, requestId: string): unknown {
  const failures = outcomes.filter((outcome): outcome is Extract<Settled<unknown>, { ok: false }> => !outcome.ok);
  if (failures.length > 0) {
    const onlyTimeouts = failures.every((failure) => failure.error instanceof TimeoutError);
    const detail = failures.map((failure) => `${failure.handler}: ${describeError(failure.error)}`).join("; ");
    for (const failure of failures) {
      logger.error({ query: declaration.name, id: requestId, handler: failure.handler, err: failure.error }, `Query handler ${failure.handler} of "${declaration.name}" failed`);
    }
    const errors = failures.map((failure) => failure.error);
    const cause = errors.length === 1 ? errors[0] : new AggregateError(errors, detail);
    // Instances that did not answer in time make the whole request a timeout, naming them.
    if (onlyTimeouts && failures.some((failure) => failure.handler.startsWith("instance "))) {
      throw new TimeoutError(`Request "${declaration.name}" is missing answers: ${detail}`, { cause });
    }
    throw new HandlerError(`Query "${declaration.name}" failed: ${detail}`, { cause });
  }
  const values = outcomes.map((outcome) => (outcome as { value: unknown }).value);
  return declaration.singleton ? values[0] : values;
}
