"use client";

import { useMemo, useState } from "react";
import { parseJsonInput, toEditorText } from "@/lib/dashboard/json-input";
import { formFieldsFor } from "@/lib/dashboard/json-schema-form";
import { FlagBadges } from "../ui/badge";
import { Panel } from "../ui/panel";
import { buttonClass } from "../ui/styles";
import { useDashboard, useDashboardActions } from "../dashboard/store-context";
import { FireHistoryList } from "./fire-history-list";
import { FireOutcomeView } from "./fire-outcome";
import { PayloadEditor } from "./payload-editor";
import { SchemaForm } from "./schema-form";
import { TargetSelect } from "./target-select";

/** Trigger any event or request any query, internal ones too, through the monitor session. */
export function FirePanel() {
  const catalog = useDashboard((state) => state.catalog);
  const draft = useDashboard((state) => state.draft);
  const firing = useDashboard((state) => state.firing);
  const connected = useDashboard((state) => state.client !== null);
  const outcome = useDashboard((state) => state.outcome);
  const history = useDashboard((state) => state.history);
  const { pick, editPayload, fire } = useDashboardActions();
  const [mode, setMode] = useState<"form" | "json">("form");

  const entry = catalog[draft.name];
  const fields = useMemo(() => formFieldsFor(entry?.schema), [entry?.schema]);
  const parsed = useMemo(() => parseJsonInput(draft.payload), [draft.payload]);
  const kind = entry?.kind === "query" ? "request" : "trigger";
  const showForm = fields !== null && mode === "form";
  const canFire = !!entry && parsed.ok && connected && !firing;

  return (
    <Panel id="fire" title="Fire" description="Trigger an event or request a query, internal ones included">
      <form
        className="flex flex-col gap-3 p-4"
        onSubmit={(event) => {
          event.preventDefault();
          if (canFire) void fire(kind, draft.name, draft.payload);
        }}
      >
        <TargetSelect catalog={catalog} value={draft.name} onChange={(name) => pick(name)} />
        {entry ? (
          <div className="flex flex-wrap items-center gap-2 text-xs text-slate-600 dark:text-slate-400">
            <FlagBadges internal={entry.internal} singleton={entry.kind === "query" && entry.singleton} />
            <span>{entry.description ?? (entry.schema ? "Payload checked against its schema" : "No schema: any JSON")}</span>
            {entry.kind === "event" ? <ReachNote name={entry.name} internal={entry.internal} /> : null}
          </div>
        ) : null}
        {fields !== null ? (
          <div className="flex gap-1" role="group" aria-label="Payload editor">
            {(["form", "json"] as const).map((option) => (
              <button key={option} type="button" aria-pressed={mode === option} onClick={() => setMode(option)} className={buttonClass(mode === option ? "primary" : "secondary", "sm")}>
                {option === "form" ? "Form" : "JSON"}
              </button>
            ))}
          </div>
        ) : null}
        {showForm ? (
          <>
            {!parsed.ok ? <p className="text-xs text-amber-700 dark:text-amber-400">The JSON has an error; editing the form replaces it.</p> : null}
            <SchemaForm fields={fields} value={parsed.ok ? parsed.value : {}} onChange={(value) => editPayload(toEditorText(value))} />
          </>
        ) : (
          <PayloadEditor text={draft.payload} parsed={parsed} onChange={editPayload} />
        )}
        <div className="flex items-center gap-3">
          <button type="submit" className={buttonClass("primary")} disabled={!canFire}>
            {firing ? "Sending…" : kind === "request" ? "Request" : "Trigger"}
          </button>
          {!connected ? <span className="text-xs text-slate-600 dark:text-slate-400">Waiting for the monitor session…</span> : null}
        </div>
        <FireOutcomeView outcome={outcome} />
      </form>
      <div className="border-t border-slate-200 p-4 dark:border-slate-800">
        <h3 className="mb-2 text-sm font-semibold">History</h3>
        <FireHistoryList
          history={history}
          disabled={!connected || firing}
          onFire={(item) => void fire(item.kind, item.name, item.payload)}
          onEdit={(item) => pick(item.name, item.payload)}
        />
      </div>
    </Panel>
  );
}

/** Who a trigger reaches in browsers: subscribers by name and by matching patterns (never for an internal event). */
function ReachNote({ name, internal }: { name: string; internal: boolean }) {
  // From the live registry (refreshed with describe), not the static catalog the panel renders from.
  const subscribers = useDashboard((state) => state.registry[name]?.subscribers ?? 0);
  const text = internal ? "Internal: reaches no browser" : `Reaches ${subscribers} browser ${subscribers === 1 ? "subscriber" : "subscribers"} (by name or pattern)`;
  return (
    <span data-testid="fire-reach" className="tabular-nums">
      · {text}
    </span>
  );
}
