"use client";

import { formatClock } from "@/lib/dashboard/format";
import type { FireEntry } from "@/lib/dashboard/fire-history";
import { Badge } from "../ui/badge";
import { buttonClass } from "../ui/styles";

/** What was fired, newest first: fire again with one click, or load it into the editor. */
export function FireHistoryList({ history, disabled, onFire, onEdit }: {
  history: readonly FireEntry[];
  disabled: boolean;
  onFire: (entry: FireEntry) => void;
  onEdit: (entry: FireEntry) => void;
}) {
  if (history.length === 0) {
    return <p className="text-xs text-slate-600 dark:text-slate-400">Nothing fired yet: what you fire is kept here (in this browser) to fire again.</p>;
  }
  return (
    <ul className="flex max-h-56 flex-col divide-y divide-slate-100 overflow-auto dark:divide-slate-800" aria-label="Fire history">
      {history.map((entry) => (
        <li key={entry.id} className="flex items-center gap-2 py-1.5 text-xs">
          <Badge tone={entry.ok ? "ok" : "error"}>{entry.kind}</Badge>
          <div className="min-w-0 flex-1">
            <div className="truncate font-mono">{entry.name}</div>
            <div className="truncate text-slate-600 dark:text-slate-400" title={entry.payload || "no payload"}>
              {formatClock(entry.at)} · {entry.summary}
            </div>
          </div>
          <button type="button" className={buttonClass("secondary", "sm")} onClick={() => onEdit(entry)} aria-label={`Edit ${entry.name} from ${formatClock(entry.at)}`}>
            Edit
          </button>
          <button type="button" className={buttonClass("primary", "sm")} disabled={disabled} onClick={() => onFire(entry)} aria-label={`Fire ${entry.name} again`}>
            Again
          </button>
        </li>
      ))}
    </ul>
  );
}
