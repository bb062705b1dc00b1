import { describe, expect, it } from "vitest";
import type { DeclarationInfo } from "@/lib/events/core/declarations";
import { applyDescribe, applyTraces, catalogOf, groupRegistry, prefixOf, registryFromSnapshot } from "./registry";
import { makeTrace } from "./test-traces";

const info = (name: string, overrides: Partial<DeclarationInfo> = {}): DeclarationInfo => ({
  name,
  kind: "event",
  internal: true,
  singleton: false,
  presence: false,
  handlers: 1,
  schema: null,
  description: null,
  counters: { count: 0, errors: 0, lastAt: null },
  ...overrides,
});

const snapshot = [
  info("model:created", { internal: false }),
  info("model:count", { kind: "query", singleton: true }),
  info("cache:warmed"),
  info("ping"),
];

describe("registryFromSnapshot", () => {
  it("takes flags, handlers and counters from the snapshot and subscribers from the transport", () => {
    const registry = registryFromSnapshot(snapshot, { "model:created": 2 }, 1_000);
    expect(registry["model:created"]).toMatchObject({ kind: "event", internal: false, subscribers: 2, count: 0, rate: null });
    expect(registry["model:count"]).toMatchObject({ kind: "query", internal: true, singleton: true, subscribers: 0 });
  });
});

describe("applyDescribe", () => {
  it("takes the server's counters and computes a rate between two samples", () => {
    const first = registryFromSnapshot(snapshot, {}, 0);
    const described = {
      events: [{ name: "model:created", kind: "event" as const, internal: false, singleton: false, schema: null, description: null, handlers: 3, subscribers: 4, counters: { count: 20, errors: 1, lastAt: 1_900 } }],
      queries: [],
    };
    const next = applyDescribe(first, described, 2_000);
    expect(next["model:created"]).toMatchObject({ handlers: 3, subscribers: 4, count: 20, errors: 1, lastAt: 1_900, rate: 10 });
    expect(next["cache:warmed"]).toBe(first["cache:warmed"]);
  });

  it("adds names declared after the page loaded", () => {
    const next = applyDescribe({}, { events: [], queries: [{ name: "new:query", kind: "query", internal: true, singleton: false, schema: null, description: "d" }] }, 0);
    expect(next["new:query"]).toMatchObject({ kind: "query", count: 0, handlers: 0, description: "d" });
  });
});

describe("applyTraces", () => {
  it("counts triggers and requests, errors and the last time, per name", () => {
    const registry = registryFromSnapshot(snapshot, {}, 0);
    const rows = [
      makeTrace({ name: "model:created", at: 5 }),
      makeTrace({ name: "model:created", at: 9, error: "boom" }),
      makeTrace({ name: "model:count", kind: "request", at: 7 }),
    ];
    const next = applyTraces(registry, rows);
    expect(next["model:created"]).toMatchObject({ count: 2, errors: 1, lastAt: 9 });
    expect(next["model:count"]).toMatchObject({ count: 1, errors: 0, lastAt: 7 });
  });

  it("returns the same registry when nothing it knows arrived", () => {
    const registry = registryFromSnapshot(snapshot, {}, 0);
    expect(applyTraces(registry, [makeTrace({ name: "unknown" })])).toBe(registry);
  });
});

describe("groupRegistry", () => {
  it("groups by prefix, names without one last", () => {
    const groups = groupRegistry(registryFromSnapshot(snapshot, {}, 0), "");
    expect(groups.map((group) => [group.prefix, group.entries.map((entry) => entry.name)])).toEqual([
      ["cache", ["cache:warmed"]],
      ["model", ["model:count", "model:created"]],
      ["", ["ping"]],
    ]);
  });

  it("searches by name, substring or pattern", () => {
    const registry = registryFromSnapshot(snapshot, {}, 0);
    expect(groupRegistry(registry, "COUNT").flatMap((group) => group.entries.map((entry) => entry.name))).toEqual(["model:count"]);
    expect(groupRegistry(registry, "model:*")).toHaveLength(1);
    expect(groupRegistry(registry, "zzz")).toEqual([]);
  });

  it("names the prefix of a name", () => {
    expect(prefixOf("model:created")).toBe("model");
    expect(prefixOf("ping")).toBe("");
    expect(prefixOf(":odd")).toBe("");
  });
});

describe("catalogOf", () => {
  it("keeps the same catalog while only counters change", () => {
    const registry = registryFromSnapshot(snapshot, {}, 0);
    const catalog = catalogOf(registry);
    expect(catalog["model:count"]).toEqual({ name: "model:count", kind: "query", internal: true, singleton: true, description: null, schema: null });
    const counted = applyTraces(registry, [makeTrace({ name: "model:created" })]);
    expect(catalogOf(counted, catalog)).toBe(catalog);
  });

  it("changes when a name appears or a schema changes", () => {
    const registry = registryFromSnapshot(snapshot, {}, 0);
    const catalog = catalogOf(registry);
    const withSchema = { ...registry, ping: { ...registry.ping!, schema: { type: "object" } } };
    expect(catalogOf(withSchema, catalog)).not.toBe(catalog);
    expect(catalogOf(withSchema, catalog)["model:count"]).toBe(catalog["model:count"]);
    const described = applyDescribe(registry, { events: [], queries: [{ name: "new:query", kind: "query", internal: true, singleton: false, schema: null, description: null }] }, 0);
    expect(Object.keys(catalogOf(described, catalog))).toContain("new:query");
  });
});
