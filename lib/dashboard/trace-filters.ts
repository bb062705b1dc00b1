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
/**
 * Keeps a shared URL's state small. Not a guard for the matcher (that is linear in any pattern);
 * names are at most 200 characters, so a longer substring filter could never match anyway.
 */
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

/**
 * `model` matches any name containing it; `model:*`, `*:count` or `a*b*c` are patterns over the
 * whole name, where `*` stands for any run of characters. Case-insensitive.
 *
 * A pattern is matched without regular expressions: compiled to `.*`, a run of stars made the
 * engine backtrack (40 stars and an `x` froze the tab for seconds per name). Here the first
 * segment must be a prefix, the last a suffix, and each middle one is found left to right, taking
 * the earliest place it fits (the earliest never leaves less room for the segments after it), so
 * a name is read about once whatever the pattern.
 */
export function nameMatcher(filter: string): (name: string) => boolean {
  const wanted = filter.trim().toLowerCase();
  if (!wanted) return () => true;
  if (!wanted.includes("*")) return (name) => name.toLowerCase().includes(wanted);
  const segments = wanted.split("*");
  const head = segments[0]!;
  const tail = segments[segments.length - 1]!;
  // Empty segments come from runs of stars (`a**b` is `a*b`) or a star at either end.
  const middle = segments.slice(1, -1).filter((segment) => segment !== "");
  const shortest = middle.reduce((sum, segment) => sum + segment.length, head.length + tail.length);
  return (name) => {
    const lower = name.toLowerCase();
    if (lower.length < shortest || !lower.startsWith(head) || !lower.endsWith(tail)) return false;
    const end = lower.length - tail.length;
    let from = head.length;
    for (const segment of middle) {
      const at = lower.indexOf(segment, from);
      if (at === -1 || at + segment.length > end) return false;
      from = at + segment.length;
    }
    return true;
  };
}
