import type { Outcome, SourceKind, TraceRow } from "./trace-row";

/**
 * The live traffic filters. They live in the page's URL (`?name=model:*&outcome=error`) so that a
 * view can be shared; an empty string means "any".
 */
export interface TraceFilters {
  /** A substring of the name, or a pattern with `*` (e.g. `model:*`). Case-insensitive. */
  name: string;
  kind: "" | "trigger" | "request";
  /** `server`, `client`, `monitor`, or one exact source such as `client:AbC123`. */
  source: string;
  outcome: "" | Outcome;
}

export const EMPTY_FILTERS: TraceFilters = Object.freeze({ name: "", kind: "", source: "", outcome: "" });

const KEYS = ["name", "kind", "source", "outcome"] as const;
const KINDS = new Set(["trigger", "request"]);
const OUTCOMES = new Set(["ok", "error"]);
const SOURCE_PATTERN = /^(server|client|monitor|client:[A-Za-z0-9_-]{1,64})$/;
const MAX_NAME_FILTER = 200;

type SearchLike = URLSearchParams | Record<string, string | string[] | undefined>;

/** Reads the filters from a URL's query (a URLSearchParams or Next's `searchParams`); unknown values are ignored. */
export function filtersFromSearch(search: SearchLike): TraceFilters {
  const read = (key: string): string => {
    const value = search instanceof URLSearchParams ? search.get(key) : search[key];
    return (Array.isArray(value) ? value[0] : value)?.trim() ?? "";
  };
  const kind = read("kind");
  const outcome = read("outcome");
  const source = read("source");
  return {
    name: read("name").slice(0, MAX_NAME_FILTER),
    kind: KINDS.has(kind) ? (kind as TraceFilters["kind"]) : "",
    source: SOURCE_PATTERN.test(source) ? source : "",
    outcome: OUTCOMES.has(outcome) ? (outcome as Outcome) : "",
  };
}

/** Writes the filters into a copy of `current`, leaving its other parameters alone. */
export function filtersToSearch(filters: TraceFilters, current: URLSearchParams = new URLSearchParams()): URLSearchParams {
  const next = new URLSearchParams(current);
  for (const key of KEYS) {
    const value = filters[key].trim();
    if (value) next.set(key, value);
    else next.delete(key);
  }
  return next;
}

/** How many filters are set. */
export function activeFilterCount(filters: TraceFilters): number {
  return KEYS.filter((key) => filters[key] !== "").length;
}

/** Builds the predicate once per filter change, not once per row. */
export function traceMatcher(filters: TraceFilters): (row: TraceRow) => boolean {
  const name = nameMatcher(filters.name);
  const { kind, source, outcome } = filters;
  return (row) =>
    (kind === "" || row.trace.kind === kind) &&
    (outcome === "" || row.outcome === outcome) &&
    (source === "" || sourceMatches(source, row)) &&
    name(row.trace.name);
}

function sourceMatches(filter: string, row: TraceRow): boolean {
  return filter.includes(":") ? row.trace.source === filter : row.sourceKind === (filter as SourceKind);
}

/** `model` matches any name containing it; `model:*` or `*:count` are patterns over the whole name. */
export function nameMatcher(filter: string): (name: string) => boolean {
  const wanted = filter.trim().toLowerCase();
  if (!wanted) return () => true;
  if (!wanted.includes("*")) return (name) => name.toLowerCase().includes(wanted);
  const pattern = new RegExp(`^${wanted.split("*").map(escapeRegExp).join(".*")}$`);
  return (name) => pattern.test(name.toLowerCase());
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
