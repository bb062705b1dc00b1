import { filtersFromSearch, nameMatcher, traceMatcher, type TraceFilters } from "@/lib/dashboard/trace-filters";
import type { TraceRow } from "@/lib/dashboard/trace-row";
import { UsageError } from "./exit";

/** What `tail` keeps: the dashboard's filters, with any number of name patterns. */
export interface TailFilters {
  /** Substrings or `*` patterns (`model:*`), as in the dashboard's filter; a trace matching any is kept. None keeps all. */
  patterns: readonly string[];
  kind?: TraceFilters["kind"];
  source?: string;
  outcome?: TraceFilters["outcome"];
}

/**
 * The dashboard's own matcher (lib/dashboard/trace-filters.ts) for kind, source and outcome, and
 * its name matcher for each pattern. A source the dashboard would not take is bad usage here,
 * where the dashboard's URL would just ignore it.
 */
export function tailMatcher(filters: TailFilters): (row: TraceRow) => boolean {
  const source = filters.source ?? "";
  if (source !== "" && filtersFromSearch(new URLSearchParams({ source })).source !== source) {
    throw new UsageError(`--source is ${JSON.stringify(source)}: expected server, client, monitor (the dashboard and this CLI), or one browser connection as client:<id>`);
  }
  const rest = traceMatcher({ name: "", kind: filters.kind ?? "", source, outcome: filters.outcome ?? "" });
  const names = filters.patterns.filter((pattern) => pattern.trim() !== "").map(nameMatcher);
  if (names.length === 0) return rest;
  return (row) => rest(row) && names.some((matches) => matches(row.trace.name));
}
