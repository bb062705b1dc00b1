import fc from "fast-check";
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

  it("a pattern ending in * matches names with that prefix", () => {
    const matches = nameMatcher("model:*");
    expect(matches("model:")).toBe(true);
    expect(matches("model:created")).toBe(true);
    expect(matches("cache:model:created")).toBe(false);
    expect(matches("model")).toBe(false);
  });

  it("a pattern starting with * matches names with that suffix", () => {
    const matches = nameMatcher("*:count");
    expect(matches(":count")).toBe(true);
    expect(matches("model:count")).toBe(true);
    expect(matches("model:counter")).toBe(false);
  });

  it("a star in the middle matches any run of characters, including none", () => {
    const matches = nameMatcher("model*count");
    expect(matches("modelcount")).toBe(true);
    expect(matches("model:total:count")).toBe(true);
    expect(matches("model:count:x")).toBe(false);
    expect(matches("x:model:count")).toBe(false);
  });

  it("several stars match their segments in order, anywhere between the ends", () => {
    const matches = nameMatcher("a*b*c");
    expect(matches("abc")).toBe(true);
    expect(matches("a-b-b-c")).toBe(true);
    expect(matches("axxbyyc")).toBe(true);
    expect(matches("acb")).toBe(false);
    expect(matches("abcx")).toBe(false);
    expect(nameMatcher("*b*")("abc")).toBe(true);
    expect(nameMatcher("*b*")("ac")).toBe(false);
  });

  it("a segment never overlaps the prefix or the suffix", () => {
    expect(nameMatcher("a*a")("a")).toBe(false);
    expect(nameMatcher("a*a")("aa")).toBe(true);
    expect(nameMatcher("ab*b*bc")("abbc")).toBe(false);
    expect(nameMatcher("ab*b*bc")("abbbc")).toBe(true);
    expect(nameMatcher("*aa*aa")("aaa")).toBe(false);
    expect(nameMatcher("*aa*aa")("aaaa")).toBe(true);
    expect(nameMatcher("a*x*xy")("a--xy")).toBe(false);
    expect(nameMatcher("a*x*xy")("a-x-xy")).toBe(true);
    expect(nameMatcher("*a*a")(":a")).toBe(false);
  });

  it("a run of stars is one star", () => {
    expect(nameMatcher("model:***")("model:count")).toBe(true);
    expect(nameMatcher("**:count")("model:count")).toBe(true);
    expect(nameMatcher("a**b***c")("a-b-c")).toBe(true);
    expect(nameMatcher("a**b***c")("a-c")).toBe(false);
    expect(nameMatcher("***")("anything")).toBe(true);
    expect(nameMatcher("*")("")).toBe(true);
  });

  it("a pattern ignores case, on both sides", () => {
    expect(nameMatcher("MODEL:*")("model:count")).toBe(true);
    expect(nameMatcher("model:*")("Model:Count")).toBe(true);
    expect(nameMatcher("*:C*NT")("model:count")).toBe(true);
  });

  it("characters that mean something in regular expressions are plain text", () => {
    expect(nameMatcher("a.b*")("a.bc")).toBe(true);
    expect(nameMatcher("(a)*[b]")("(a)x[b]")).toBe(true);
    expect(nameMatcher("$*^")("$x^")).toBe(true);
    expect(nameMatcher("a+")("aa")).toBe(false);
  });

  it("a filter without a star matches a substring, and surrounding spaces are ignored", () => {
    expect(nameMatcher("del:cre")("model:created")).toBe(true);
    expect(nameMatcher("  model  ")("model:created")).toBe(true);
    expect(nameMatcher("   ")("anything")).toBe(true);
  });

  it("matches exactly the names the regular expression it replaced matched", () => {
    // The old rule, safe here because the inputs are short.
    const byRegExp = (filter: string, name: string) => {
      const wanted = filter.trim().toLowerCase();
      if (!wanted.includes("*")) return name.toLowerCase().includes(wanted);
      const escaped = wanted.split("*").map((text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      return new RegExp(`^${escaped.join(".*")}$`).test(name.toLowerCase());
    };
    const text = (chars: string[], maxLength: number) => fc.array(fc.constantFrom(...chars), { maxLength }).map((list) => list.join(""));
    fc.assert(
      fc.property(text(["a", "B", ":", ".", "*"], 8), text(["a", "b", "A", ":"], 8), (filter, name) => {
        expect(nameMatcher(filter)(name)).toBe(byRegExp(filter, name));
      }),
      { numRuns: 2_000 },
    );
  });

  it("a pattern of 10,000 stars matches in linear time", () => {
    const name = "a".repeat(10_000);
    expect(nameMatcher(`${"*".repeat(10_000)}x`)(name)).toBe(false);
    expect(nameMatcher(`${"*".repeat(10_000)}a`)(name)).toBe(true);
    // Forty stars and an `x` froze the old regular expression for seconds per name.
    expect(nameMatcher(`${"*".repeat(40)}x`)("a".repeat(200))).toBe(false);
  });

  it("a pattern of many short segments over a long name matches in linear time", () => {
    const name = `${"a".repeat(10_000)}b`;
    expect(nameMatcher(`${"*a".repeat(5_000)}*c`)(name)).toBe(false);
    expect(nameMatcher(`${"*a".repeat(5_000)}*b`)(name)).toBe(true);
    expect(nameMatcher(`${"a*".repeat(10_001)}b`)(name)).toBe(false);
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
