"use client";

import { useEffect, useState } from "react";
import type { ModelCreated } from "@/events/schemas";
import { AddModelForm } from "./add-model-form";
import "./window-events";

type Model = Pick<ModelCreated, "id" | "value">;
type Status = "connecting" | "subscribed" | "unavailable";

/** The models, newest first, kept live by the injected client exactly as the seed's snippet does. */
export function ModelsLive({ initial }: { initial: Model[] }) {
  const [models, setModels] = useState<Model[]>(initial);
  const [status, setStatus] = useState<Status>("connecting");

  useEffect(() => {
    if (typeof window.wf?.ext?.events?.EventManager !== "function") {
      queueMicrotask(() => setStatus("unavailable"));
      return;
    }
    const events = new window.wf.ext.events.EventManager();
    let active = true;
    (async () => {
      await events.subscribe("model:created");
      events.registerHandler("model:created", (model) => {
        const { id, value } = model as Model;
        // A model the first list already holds may be replayed after a reconnect: show it once.
        setModels((current) => (current.some((known) => known.id === id) ? current : [{ id, value }, ...current]));
      });
      if (active) setStatus("subscribed");
    })().catch(() => {
      if (active) setStatus("unavailable");
    });
    return () => {
      active = false;
      events.close();
    };
  }, []);

  return (
    <div className="flex flex-col gap-6">
      <AddModelForm />
      <section aria-labelledby="models-title" className="rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900/60">
        <header className="flex items-center justify-between border-b border-slate-200 px-4 py-2 dark:border-slate-800">
          <h2 id="models-title" className="font-semibold">
            Models
          </h2>
          <span role="status" className="text-xs text-slate-600 dark:text-slate-400" data-testid="demo-status">
            {status === "subscribed" ? "live: subscribed to model:created" : status === "connecting" ? "connecting…" : "not live (events are off)"}
          </span>
        </header>
        {models.length === 0 ? (
          <p className="px-4 py-6 text-sm text-slate-600 dark:text-slate-400">No models yet: add the first one above.</p>
        ) : (
          <ul aria-label="Models" className="divide-y divide-slate-100 dark:divide-slate-800">
            {models.map((model) => (
              <li key={model.id} className="flex gap-3 px-4 py-2 text-sm">
                <span className="w-12 shrink-0 font-mono text-slate-600 dark:text-slate-400 tabular-nums">#{model.id}</span>
                <span className="min-w-0 break-words">{model.value}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
