"use client";

import type { FireOutcome } from "@/lib/dashboard/fire";
import { formatDuration } from "@/lib/dashboard/format";
import { Badge } from "../ui/badge";
import { JsonTree } from "../json/json-tree";

/** How the last fire went: the event's id and reach, a request's reply and latency, or the error. */
export function FireOutcomeView({ outcome }: { outcome: FireOutcome | null }) {
  return (
    <div aria-live="polite" data-testid="fire-outcome" className="min-h-12">
      {outcome ? <Outcome outcome={outcome} /> : <p className="text-xs text-slate-600 dark:text-slate-400">The outcome shows here.</p>}
    </div>
  );
}

function Outcome({ outcome }: { outcome: FireOutcome }) {
  const took = formatDuration(outcome.latencyMs);
  if (!outcome.ok) {
    return (
      <div role="alert" className="rounded-md border border-rose-200 bg-rose-50 p-2 text-xs text-rose-900 dark:border-rose-900 dark:bg-rose-950/60 dark:text-rose-200">
        <div className="flex items-center gap-2">
          <Badge tone="error">{outcome.code}</Badge>
          <span className="font-mono">{outcome.name}</span>
        </div>
        <p className="mt-1 whitespace-pre-wrap break-words">{outcome.message}</p>
      </div>
    );
  }
  if (outcome.kind === "trigger") {
    const facts: [string, string][] = [
      ["event id", outcome.id],
      ["handlers ran", String(outcome.handlers)],
      ["handlers failed", String(outcome.failed)],
      ["browsers reached", String(outcome.delivered)],
      ["took", took],
    ];
    return (
      <div className="rounded-md border border-emerald-200 bg-emerald-50 p-2 text-xs dark:border-emerald-900 dark:bg-emerald-950/40">
        <p className="font-medium text-emerald-900 dark:text-emerald-200">
          Triggered <span className="font-mono">{outcome.name}</span>
        </p>
        <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3">
          {facts.map(([label, value]) => (
            <div key={label} className="contents">
              <dt className="text-slate-600 dark:text-slate-400">{label}</dt>
              <dd className="font-mono" data-fact={label}>
                {value}
              </dd>
            </div>
          ))}
        </dl>
      </div>
    );
  }
  return (
    <div className="rounded-md border border-emerald-200 bg-emerald-50 p-2 text-xs dark:border-emerald-900 dark:bg-emerald-950/40">
      <p className="font-medium text-emerald-900 dark:text-emerald-200">
        Reply from <span className="font-mono">{outcome.name}</span> in {took}
      </p>
      <div className="mt-1" role="group" aria-label="Reply">
        <JsonTree value={outcome.result} />
      </div>
    </div>
  );
}
