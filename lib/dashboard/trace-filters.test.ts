import { describe, expect, it } from "vitest";
import { activeFilterCount, EMPTY_FILTERS, filtersFromSearch, filtersToSearch, nameMatcher, traceMatcher } from "./trace-filters";
import { makeTrace } from "./test-traces";
import { oneLine, toTraceRow } from "./trace-row";

const row = (overrides: Parameters<typeof makeTrace>[0] = {}) => toTraceRow(makeTrace(overrides), 1, 0);

describe("filtersFromSearch", () => {
  it("reads every filter from a query string", () => {
    const search = new URLSearchParams("name=model:*&kind=request&source=client&outcome=error&other=1");
    expect(filtersFromSearch(search)).toEqual({ name: "model:*", kind: "request", source: "client", outcome: "error" });
  });

  it("reads Next's searchParams object, taking the first of repeated values", () => {
    expect(filtersFromSearch({ name: ["cache", "model"], kind: "trigger" })).toMatchObject({ name: "cache", kind: "trigger" });
  });

  it("ignores values it does not know", () => {
    const search = new URLSearchParams("kind=delete&outcome=maybe&source=<script>");
    expect(filtersFromSearch(search)).toEqual(EMPTY_FILTERS);
  });

  it("accepts one exact browser connection as the source", () => {
    expect(filtersFromSearch(new URLSearchParams("source=client:AbC_12-x")).source).toBe("client:AbC_12-x");
  });
});

describe("filtersToSearch", () => {
  it("sets the filters that have a value and removes the others, keeping unrelated parameters", () => {
    const current = new URLSearchParams("kind=trigger&tab=fire");
    const next = filtersToSearch({ ...EMPTY_FILTERS, name: "model:*", outcome: "error" }, current);
    expect(next.toString()).toBe("tab=fire&name=model%3A*&outcome=error");
    expect(current.toString()).toBe("kind=trigger&tab=fire");
  });

  it("round-trips through the URL", () => {
    const filters = { name: "cache", kind: "trigger", source: "monitor", outcome: "ok" } as const;
    expect(filtersFromSearch(filtersToSearch(filters))).toEqual(filters);
    expect(activeFilterCount(filters)).toBe(4);
    expect(activeFilterCount(EMPTY_FILTERS)).toBe(0);
  });
});

describe("traceMatcher", () => {
  it("matches everything when no filter is set", () => {
    expect(traceMatcher(EMPTY_FILTERS)(row())).toBe(true);
  });

  it("filters by kind, outcome and coarse source", () => {
    const failedRequest = row({ kind: "request", name: "model:count", error: "boom", code: "handler_error", source: "client:abc" });
    expect(traceMatcher({ ...EMPTY_FILTERS, kind: "request" })(failedRequest)).toBe(true);
    expect(traceMatcher({ ...EMPTY_FILTERS, kind: "trigger" })(failedRequest)).toBe(false);
    expect(traceMatcher({ ...EMPTY_FILTERS, outcome: "error" })(failedRequest)).toBe(true);
    expect(traceMatcher({ ...EMPTY_FILTERS, outcome: "ok" })(failedRequest)).toBe(false);
    expect(traceMatcher({ ...EMPTY_FILTERS, source: "client" })(failedRequest)).toBe(true);
    expect(traceMatcher({ ...EMPTY_FILTERS, source: "server" })(failedRequest)).toBe(false);
  });

  it("filters by one exact connection", () => {
    expect(traceMatcher({ ...EMPTY_FILTERS, source: "client:abc" })(row({ source: "client:abc" }))).toBe(true);
    expect(traceMatcher({ ...EMPTY_FILTERS, source: "client:abc" })(row({ source: "client:xyz" }))).toBe(false);
  });
});

describe("nameMatcher", () => {
  it("matches a substring, ignoring case", () => {
    expect(nameMatcher("CREATED")("model:created")).toBe(true);
    expect(nameMatcher("count")("model:created")).toBe(false);
  });

  it("treats * as a wildcard over the whole name", () => {
    expect(nameMatcher("model:*")("model:count")).toBe(true);
    expect(nameMatcher("model:*")("cache:warmed")).toBe(false);
    expect(nameMatcher("*:count")("model:count")).toBe(true);
    expect(nameMatcher("a.b*")("axb")).toBe(false);
  });
});

describe("toTraceRow", () => {
  it("derives the outcome, the source kind and a one-line payload preview", () => {
    const failed = toTraceRow(makeTrace({ error: "x", source: "client:abc", data: { value: "<img src=x onerror=alert(1)>" } }), 7, 42);
    expect(failed).toMatchObject({ seq: 7, receivedAt: 42, outcome: "error", sourceKind: "client" });
    expect(failed.preview).toBe('{"value":"<img src=x onerror=alert(1)>"}');
  });

  it("cuts long previews", () => {
    expect(oneLine("x".repeat(500), 10)).toBe(`"xxxxxxxx…`);
    expect(oneLine(null)).toBe("null");
    expect(oneLine(undefined)).toBe("");
  });
});
