import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPattern, matchesPrefix, matchingPrefixes, parsePattern } from "./name-pattern";

describe("name patterns", () => {
  it("are a name whose last segment is *, or * alone", () => {
    expect(parsePattern("model:*")).toEqual({ ok: true, prefix: "model:" });
    expect(parsePattern("order:eu:*")).toEqual({ ok: true, prefix: "order:eu:" });
    expect(parsePattern("*")).toEqual({ ok: true, prefix: "" });
  });

  it.each(["model*", "*:created", "model:*:x", "mo*del:*", "model:**", "**", "a b:*", "model:x*"])("refuse %j with a message naming the allowed forms", (text) => {
    const check = parsePattern(text);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.problem).toContain('only a last segment of "*" is');
  });

  it("match names with the prefix and at least one more character", () => {
    expect(matchesPrefix("model:", "model:created")).toBe(true);
    expect(matchesPrefix("model:", "model:")).toBe(false);
    expect(matchesPrefix("model:", "models:x")).toBe(false);
    expect(matchesPrefix("", "anything")).toBe(true);
  });

  it("find a name's patterns by its colon prefixes", () => {
    expect(matchingPrefixes("order:eu:created")).toEqual(["", "order:", "order:eu:"]);
    expect(matchingPrefixes("plain")).toEqual([""]);
    expect(matchingPrefixes("ends:")).toEqual([""]);
    expect(matchingPrefixes("a::b")).toEqual(["", "a:", "a::"]);
  });

  it("agree: a pattern matches a name exactly when its prefix is among the name's matching prefixes", () => {
    const segment = fc.stringMatching(/^[a-z]{0,3}$/);
    const name = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(":")).filter((text) => text.length > 0);
    const prefix = fc.array(segment, { minLength: 0, maxLength: 3 }).map((parts) => (parts.length === 0 ? "" : `${parts.join(":")}:`));
    fc.assert(fc.property(prefix, name, (p, n) => matchesPrefix(p, n) === matchingPrefixes(n).includes(p)));
  });

  it("tell patterns from names", () => {
    expect(isPattern("model:*")).toBe(true);
    expect(isPattern("model:created")).toBe(false);
  });
});
