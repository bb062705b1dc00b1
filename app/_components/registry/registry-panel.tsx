"use client";

import { useMemo, useState } from "react";
import { groupRegistry } from "@/lib/dashboard/registry";
import { Panel } from "../ui/panel";
import { inputClass } from "../ui/styles";
import { useDashboard } from "../dashboard/store-context";
import { RegistryRow } from "./registry-row";
import { useRowsBelow } from "./use-rows-below";

const COLUMNS = ["Name", "Kind", "Handlers", "Browsers", "Count", "Errors", "Last", "Rate", ""];

/** Every declared event and query, grouped by prefix, with live counters. */
export function RegistryPanel() {
  const registry = useDashboard((state) => state.registry);
  const [search, setSearch] = useState("");
  const groups = useMemo(() => groupRegistry(registry, search), [registry, search]);
  const total = Object.keys(registry).length;
  // Recount when the rows shown change, not on every counter update (each recount forces a layout).
  const shownNames = useMemo(() => groups.map((group) => group.entries.map((entry) => entry.name).join(",")).join(";"), [groups]);
  const { boxRef, below, onScroll } = useRowsBelow<HTMLDivElement>(shownNames);

  return (
    <Panel
      id="registry"
      title="Registry"
      description={`${total} declared events and queries; counters refresh live`}
      actions={
        <label className="flex items-center gap-2 text-sm">
          <span className="sr-only">Search names</span>
          <input
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            placeholder="Search names (model:*)"
            className={`${inputClass} w-52`}
          />
        </label>
      }
    >
      <div ref={boxRef} onScroll={onScroll} className="relative max-h-[26rem] overflow-auto">
        <table className="w-full text-left text-sm">
          <thead className="sticky top-0 z-10 bg-slate-50 text-xs text-slate-600 dark:bg-slate-900 dark:text-slate-400">
            <tr>
              {COLUMNS.map((column, index) => (
                <th key={index} scope="col" className={`px-2 py-2 font-medium first:pl-4 ${index >= 2 && index <= 7 ? "text-right" : ""}`}>
                  {column || <span className="sr-only">Fire</span>}
                </th>
              ))}
            </tr>
          </thead>
          {groups.map((group) => (
            <tbody key={group.prefix} aria-label={group.prefix ? `${group.prefix}:*` : "other names"}>
              <tr className="bg-slate-50/60 dark:bg-slate-800/40">
                <th colSpan={COLUMNS.length} scope="rowgroup" className="px-4 py-1 font-mono text-xs font-semibold text-slate-600 dark:text-slate-400">
                  {group.prefix ? `${group.prefix}:*` : "(no prefix)"} · {group.entries.length}
                </th>
              </tr>
              {group.entries.map((entry) => (
                <RegistryRow key={entry.name} entry={entry} columns={COLUMNS.length} />
              ))}
            </tbody>
          ))}
        </table>
        {groups.length === 0 ? (
          <p className="px-4 py-6 text-sm text-slate-600 dark:text-slate-400">
            {total === 0 ? "Nothing is declared yet: add events and queries in events/ (see events/models.ts)." : `No name matches "${search}".`}
          </p>
        ) : null}
        {below > 0 ? (
          <p data-testid="registry-more" className="sticky bottom-0 border-t border-slate-200 bg-white/95 px-4 py-1.5 text-xs text-slate-600 dark:border-slate-800 dark:bg-slate-900/95 dark:text-slate-400">
            {below} more {below === 1 ? "name" : "names"} below: scroll for {below === 1 ? "it" : "them"}
          </p>
        ) : null}
      </div>
    </Panel>
  );
}
