"use client";

import { useState } from "react";
import { formatAgo, formatRate } from "@/lib/dashboard/format";
import type { RegistryEntry } from "@/lib/dashboard/registry";
import { FlagBadges } from "../ui/badge";
import { buttonClass } from "../ui/styles";
import { useDashboard, useDashboardActions } from "../dashboard/store-context";
import { JsonTree } from "../json/json-tree";

const cell = "px-2 py-1.5";
const numeric = `${cell} text-right tabular-nums`;

export function RegistryRow({ entry, columns }: { entry: RegistryEntry; columns: number }) {
  const now = useDashboard((state) => state.now);
  const { pick, searchConnections } = useDashboardActions();
  const [showSchema, setShowSchema] = useState(false);
  const schemaId = `schema-${entry.name.replace(/[^A-Za-z0-9_-]/g, "_")}`;

  return (
    <>
      <tr data-name={entry.name} className="border-t border-slate-100 align-top dark:border-slate-800">
        <td className="py-1.5 pl-4 pr-2">
          <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
            <span className="font-mono text-[13px]">{entry.name}</span>
            <FlagBadges internal={entry.internal} singleton={entry.singleton} />
            {entry.schema ? (
              <button
                type="button"
                className="text-xs text-sky-700 underline-offset-2 hover:underline dark:text-sky-400"
                aria-expanded={showSchema}
                aria-controls={schemaId}
                onClick={() => setShowSchema(!showSchema)}
              >
                Schema
              </button>
            ) : null}
          </div>
          {entry.description ? (
            <div className="max-w-72 truncate text-xs text-slate-600 dark:text-slate-400" title={entry.description}>
              {entry.description}
            </div>
          ) : null}
        </td>
        <td className={cell}>{entry.kind}</td>
        <td className={numeric}>{entry.handlers}</td>
        <td className={numeric}>
          {entry.kind === "event" && entry.subscribers > 0 ? (
            <button
              type="button"
              className="tabular-nums text-sky-700 underline-offset-2 hover:underline dark:text-sky-400"
              aria-label={`${entry.subscribers} browser${entry.subscribers === 1 ? "" : "s"} subscribed to ${entry.name}: show them in Connections`}
              onClick={() => {
                searchConnections(entry.name);
                document.getElementById("connections-title")?.scrollIntoView({ block: "start" });
              }}
            >
              {entry.subscribers}
            </button>
          ) : entry.kind === "event" ? (
            entry.subscribers
          ) : (
            "—"
          )}
        </td>
        <td className={numeric}>{entry.count}</td>
        <td className={`${numeric} ${entry.errors ? "text-rose-700 dark:text-rose-400" : ""}`}>{entry.errors}</td>
        <td className={`${cell} whitespace-nowrap text-right text-xs`}>{formatAgo(entry.lastAt, now)}</td>
        <td className={`${numeric} text-xs`}>{formatRate(entry.rate)}</td>
        <td className="py-1.5 pl-2 pr-4 text-right">
          <button
            type="button"
            className={buttonClass("secondary", "sm")}
            aria-label={`Fire ${entry.name}`}
            onClick={() => {
              pick(entry.name);
              document.getElementById("fire-target")?.focus();
            }}
          >
            Fire
          </button>
        </td>
      </tr>
      {showSchema && entry.schema ? (
        <tr id={schemaId}>
          <td colSpan={columns} className="bg-slate-50 px-4 py-2 dark:bg-slate-900/80">
            <JsonTree value={entry.schema} label={`Schema of ${entry.name}`} openDepth={3} />
          </td>
        </tr>
      ) : null}
    </>
  );
}
