import type { DeclarationInfo } from "@/lib/events/core/declarations";
import type { DescribedName, TraceFrame } from "@/lib/events/protocol/frames";
import { nameMatcher } from "./trace-filters";

/** One declared event or query as the registry panel shows it. */
export interface RegistryEntry {
  name: string;
  kind: "event" | "query";
  internal: boolean;
  singleton: boolean;
  /** Presence-tracked: who is subscribed is known (the Connections panel lists them). */
  presence: boolean;
  description: string | null;
  /** JSON Schema of the payload, where one is declared. */
  schema: Record<string, unknown> | null;
  handlers: number;
  /** Browser connections an event reaches right now: subscribed to it by name or by a pattern that matches it. */
  subscribers: number;
  /** Triggers (events) or requests (queries), errors, and the last one's time. */
  count: number;
  errors: number;
  lastAt: number | null;
  /** Per second, between the last two server samples; null until there are two. */
  rate: number | null;
  /** The server's count at the last sample: the rate's base. */
  sample: { count: number; at: number } | null;
}

export type Registry = Readonly<Record<string, RegistryEntry>>;

/** Samples closer together than this give no rate (too noisy). */
const MIN_RATE_INTERVAL_MS = 500;

/** The first registry, from the server's snapshot (the page's props). */
export function registryFromSnapshot(declarations: readonly DeclarationInfo[], subscribers: Readonly<Record<string, number>>, now: number): Registry {
  const registry: Record<string, RegistryEntry> = {};
  for (const info of declarations) {
    registry[info.name] = {
      name: info.name,
      kind: info.kind,
      internal: info.internal,
      singleton: info.singleton,
      presence: info.presence,
      description: info.description,
      schema: info.schema,
      handlers: info.handlers,
      subscribers: subscribers[info.name] ?? 0,
      count: info.counters.count,
      errors: info.counters.errors,
      lastAt: info.counters.lastAt,
      rate: null,
      sample: { count: info.counters.count, at: now },
    };
  }
  return registry;
}

/** Merges a monitor session's `describe` answer: the server's counters are the truth; names may appear. */
export function applyDescribe(registry: Registry, described: { events: DescribedName[]; queries: DescribedName[] }, now: number): Registry {
  const next: Record<string, RegistryEntry> = { ...registry };
  for (const info of [...described.events, ...described.queries]) {
    const previous = registry[info.name];
    const count = info.counters?.count ?? previous?.count ?? 0;
    const sample = previous?.sample;
    const elapsed = sample ? now - sample.at : 0;
    const fresh = !sample || elapsed >= MIN_RATE_INTERVAL_MS;
    next[info.name] = {
      name: info.name,
      kind: info.kind,
      internal: info.internal,
      singleton: info.singleton,
      presence: info.presence === true,
      description: info.description ?? null,
      schema: info.schema ?? null,
      handlers: info.handlers ?? previous?.handlers ?? 0,
      subscribers: info.subscribers ?? previous?.subscribers ?? 0,
      count,
      errors: info.counters?.errors ?? previous?.errors ?? 0,
      lastAt: info.counters?.lastAt ?? previous?.lastAt ?? null,
      rate: sample && fresh ? (Math.max(0, count - sample.count) * 1000) / elapsed : (previous?.rate ?? null),
      sample: fresh ? { count, at: now } : (sample ?? null),
    };
  }
  return next;
}

/** Counts traces as they arrive, so the counters move between two `describe` samples. */
export function applyTraces(registry: Registry, traces: readonly TraceFrame[]): Registry {
  let next: Record<string, RegistryEntry> | undefined;
  for (const trace of traces) {
    const current = (next ?? registry)[trace.name];
    if (!current || (current.kind === "event") !== (trace.kind === "trigger")) continue;
    next ??= { ...registry };
    next[trace.name] = {
      ...current,
      count: current.count + 1,
      errors: current.errors + (trace.error === null ? 0 : 1),
      lastAt: Math.max(current.lastAt ?? 0, trace.at),
    };
  }
  return next ?? registry;
}

/** The group a name belongs to: what comes before its first `:` (`model:created` → `model`). */
export function prefixOf(name: string): string {
  const colon = name.indexOf(":");
  return colon > 0 ? name.slice(0, colon) : "";
}

export interface RegistryGroup {
  /** `model`, or "" for names without a prefix. */
  prefix: string;
  entries: RegistryEntry[];
}

/** The entries whose name matches `search` (substring or `*` pattern), grouped by prefix, sorted. */
export function groupRegistry(registry: Registry, search: string): RegistryGroup[] {
  const matches = nameMatcher(search);
  const groups = new Map<string, RegistryEntry[]>();
  for (const entry of Object.values(registry)) {
    if (!matches(entry.name)) continue;
    const prefix = prefixOf(entry.name);
    groups.set(prefix, [...(groups.get(prefix) ?? []), entry]);
  }
  return [...groups]
    .sort(([a], [b]) => (a === "" ? 1 : b === "" ? -1 : a.localeCompare(b)))
    .map(([prefix, entries]) => ({ prefix, entries: entries.sort((a, b) => a.name.localeCompare(b.name)) }));
}

/** What does not change while the app runs: what the Fire panel needs. */
export type CatalogEntry = Pick<RegistryEntry, "name" | "kind" | "internal" | "singleton" | "description" | "schema">;
export type Catalog = Readonly<Record<string, CatalogEntry>>;

/**
 * The registry's static part. Returns `previous` itself when nothing in it changed, so that what
 * depends on it only re-renders when a name, flag, description or schema really changed.
 */
export function catalogOf(registry: Registry, previous?: Catalog): Catalog {
  const catalog: Record<string, CatalogEntry> = {};
  let same = previous !== undefined && Object.keys(previous).length === Object.keys(registry).length;
  for (const { name, kind, internal, singleton, description, schema } of Object.values(registry)) {
    const old = previous?.[name];
    const unchanged =
      old !== undefined &&
      old.kind === kind &&
      old.internal === internal &&
      old.singleton === singleton &&
      old.description === description &&
      (old.schema === schema || JSON.stringify(old.schema) === JSON.stringify(schema));
    catalog[name] = unchanged ? old : { name, kind, internal, singleton, description, schema };
    same &&= unchanged;
  }
  return same ? previous! : catalog;
}
