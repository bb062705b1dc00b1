"use client";

import type { Catalog } from "@/lib/dashboard/registry";
import { inputClass } from "../ui/styles";

/** Every event and query, internal ones too (the monitor session may trigger and request them). */
export function TargetSelect({ catalog, value, onChange }: { catalog: Catalog; value: string; onChange: (name: string) => void }) {
  const entries = Object.values(catalog).sort((a, b) => a.name.localeCompare(b.name));
  const events = entries.filter((entry) => entry.kind === "event");
  const queries = entries.filter((entry) => entry.kind === "query");
  const label = (entry: (typeof entries)[number]) => `${entry.name} (${entry.internal ? "internal" : "public"})`;
  return (
    <label className="flex flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-400">
      Event or query
      <select id="fire-target" value={value} onChange={(event) => onChange(event.target.value)} className={`${inputClass} font-mono`}>
        {entries.length === 0 ? <option value="">Nothing declared</option> : null}
        <optgroup label="Events: trigger">
          {events.map((entry) => (
            <option key={entry.name} value={entry.name}>
              {label(entry)}
            </option>
          ))}
        </optgroup>
        <optgroup label="Queries: request">
          {queries.map((entry) => (
            <option key={entry.name} value={entry.name}>
              {label(entry)}
            </option>
          ))}
        </optgroup>
      </select>
    </label>
  );
}
