import { describe, expect, it } from "vitest";
import { jsonLines, type JsonLine } from "./json-lines";

/** `[[[…[leaf]…]]]`, `depth` arrays deep, built without recursion. */
function nested(depth: number, leaf: unknown = 0): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** One short string per line: its depth, its kind and what it shows. */
const show = (lines: JsonLine[]) =>
  lines.map((line) => {
    const label = line.label === null ? "" : `${line.label}: `;
    switch (line.kind) {
      case "open":
        return `${line.depth} ${label}${line.bracket} ${line.expanded ? "open" : "closed"} ${line.childCount}`;
      case "empty":
        return `${line.depth} ${label}${line.bracket === "[" ? "[]" : "{}"}`;
      case "primitive":
        return `${line.depth} ${label}${String(line.value)}`;
      case "close":
        return `${line.depth} ${line.bracket}`;
      case "more":
        return `${line.depth} … ${line.hidden} more`;
      case "cut":
        return "cut";
    }
  });

describe("jsonLines", () => {
  it("shows a primitive root as one line", () => {
    expect(show(jsonLines("text"))).toEqual(["0 text"]);
    expect(show(jsonLines(null))).toEqual(["0 null"]);
    expect(jsonLines(undefined)).toEqual([{ kind: "primitive", id: "$", path: "$", depth: 0, label: null, value: undefined }]);
  });

  it("labels an object's properties with their names as JSON, and an array's items with nothing", () => {
    const lines = jsonLines({ 'say "hi"': [true, "x"], n: 1 });
    expect(show(lines)).toEqual(['0 { open 2', '1 "say \\"hi\\"": [ open 2', "2 true", "2 x", "1 ]", '1 "n": 1', "0 }"]);
  });

  it("shows empty arrays and objects as one line, which nothing can open", () => {
    const choices = new Map([["$/0", true], ["$/1", true]]);
    expect(show(jsonLines([[], {}], { choices }))).toEqual(["0 [ open 2", "1 []", "1 {}", "0 ]"]);
    expect(show(jsonLines({}))).toEqual(["0 {}"]);
  });

  it("keeps the strings of a payload as they are (the renderer shows them as text)", () => {
    const [, line] = jsonLines({ value: "<img src=x onerror=alert(1)>" });
    expect(line).toMatchObject({ kind: "primitive", label: '"value"', value: "<img src=x onerror=alert(1)>" });
  });

  it("collapses containers from openDepth on, showing how many children they hold", () => {
    expect(show(jsonLines({ a: { b: { c: 1 } } }))).toEqual(['0 { open 1', '1 "a": { open 1', '2 "b": { closed 1', "1 }", "0 }"]);
    expect(show(jsonLines([[1, 2]], { openDepth: 0 }))).toEqual(["0 [ closed 1"]);
    expect(show(jsonLines([[1, 2]], { openDepth: 1 }))).toEqual(["0 [ open 1", "1 [ closed 2", "0 ]"]);
  });

  it("hides a collapsed container's lines, whatever its depth", () => {
    expect(show(jsonLines({ a: [1, 2], b: 3 }, { choices: new Map([["$/0", false]]) }))).toEqual(['0 { open 2', '1 "a": [ closed 2', '1 "b": 3', "0 }"]);
    expect(show(jsonLines({ a: [1, 2] }, { choices: new Map([["$", false]]) }))).toEqual(["0 { closed 1"]);
  });

  it("gives every line a unique id and every value a path that does not change when others open", () => {
    const value = { a: [1, { b: 2 }], c: [[]] };
    const closed = jsonLines(value, { openDepth: 1 });
    const open = jsonLines(value, { openDepth: 9 });
    expect(new Set(open.map((line) => line.id)).size).toBe(open.length);
    expect(closed.find((line) => line.label === '"c"')?.path).toBe("$/1");
    expect(open.find((line) => line.label === '"c"')?.path).toBe("$/1");
    expect(open.find((line) => line.label === '"b"')?.path).toBe("$/0/1/0");
  });

  describe("a very deep value", () => {
    const deep = nested(100_000);

    it("flattens a value 100,000 levels deep without throwing, collapsed past openDepth", () => {
      expect(show(jsonLines(deep))).toEqual(["0 [ open 1", "1 [ open 1", "2 [ closed 1", "1 ]", "0 ]"]);
    });

    it("expanding a collapsed container reveals exactly its direct children, still collapsed", () => {
      const lines = jsonLines(deep, { choices: new Map([["$/0/0", true]]) });
      expect(show(lines)).toEqual(["0 [ open 1", "1 [ open 1", "2 [ open 1", "3 [ closed 1", "2 ]", "1 ]", "0 ]"]);
      expect(lines[3]!.path).toBe("$/0/0/0");
    });

    it("opens one level per choice, so it can be explored step by step", () => {
      const choices = new Map<string, boolean>();
      let path = "$/0/0";
      for (let level = 2; level < 1_000; level++) {
        choices.set(path, true);
        path += "/0";
      }
      const lines = jsonLines(deep, { choices });
      expect(lines).toHaveLength(1_000 * 2 + 1);
      expect(lines[1_000]).toMatchObject({ kind: "open", depth: 1_000, expanded: false, path });
    });

    it("is cut at the line cap when everything is open, however deep", () => {
      const lines = jsonLines(deep, { openDepth: Infinity });
      expect(lines).toHaveLength(5_001);
      expect(lines[4_999]).toMatchObject({ kind: "open", depth: 4_999, expanded: true });
      expect(lines.at(-1)).toMatchObject({ kind: "cut" });
    });

    it("flattens a deep object as well as a deep array", () => {
      let value: unknown = "leaf";
      for (let i = 0; i < 100_000; i++) value = { next: value };
      expect(show(jsonLines(value, { openDepth: 1 }))).toEqual(["0 { open 1", '1 "next": { closed 1', "0 }"]);
    });
  });

  it("shows the first 200 children of a container and counts the rest", () => {
    const lines = jsonLines({ list: Array.from({ length: 1_000 }, (_, i) => i) });
    expect(lines).toHaveLength(1 + 1 + 200 + 1 + 1 + 1);
    expect(show(lines.slice(-5))).toEqual(["2 198", "2 199", "2 … 800 more", "1 ]", "0 }"]);
    expect(lines.at(-3)).toMatchObject({ kind: "more", hidden: 800, path: "$/0" });
    expect(jsonLines(Array.from({ length: 200 }, () => 0)).filter((line) => line.kind === "more")).toEqual([]);
  });

  it("counts the hidden keys of an object too, and takes maxChildren", () => {
    const value = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`k${i}`, i]));
    expect(show(jsonLines(value, { maxChildren: 2 }))).toEqual(['0 { open 5', '1 "k0": 0', '1 "k1": 1', "1 … 3 more", "0 }"]);
  });

  it("stops after 5,000 lines with one last line saying the output was cut", () => {
    const wide = Array.from({ length: 200 }, () => Array.from({ length: 200 }, (_, i) => i)); // 40,402 lines in full
    const lines = jsonLines(wide);
    expect(lines).toHaveLength(5_001);
    expect(lines.filter((line) => line.kind === "cut")).toHaveLength(1);
    expect(lines.at(-1)).toMatchObject({ kind: "cut", depth: 0 });
    expect(show(jsonLines([1, 2, 3], { maxLines: 3 }))).toEqual(["0 [ open 3", "1 1", "1 2", "cut"]);
    expect(show(jsonLines([1, 2], { maxLines: 4 }))).toEqual(["0 [ open 2", "1 1", "1 2", "0 ]"]);
  });
});
