import { describe, expect, it } from "vitest";
import { parseJsonInput, toEditorText } from "./json-input";

describe("parseJsonInput", () => {
  it("reads JSON", () => {
    expect(parseJsonInput('{"id": 1, "value": "x"}')).toEqual({ ok: true, value: { id: 1, value: "x" }, empty: false });
    expect(parseJsonInput("42")).toEqual({ ok: true, value: 42, empty: false });
  });

  it("reads empty text as no payload", () => {
    expect(parseJsonInput("  \n")).toEqual({ ok: true, value: undefined, empty: true });
  });

  it("reports a syntax error with its line and column", () => {
    const result = parseJsonInput('{\n  "id": 1,\n  "value": }');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message.length).toBeGreaterThan(0);
    expect(result.message).not.toMatch(/position \d+/);
    expect(result).toMatchObject({ line: 3, column: 12 });
  });

  it("places an unfinished document at its end", () => {
    const result = parseJsonInput('{"id": 1');
    expect(result).toMatchObject({ ok: false, line: 1 });
  });
});

describe("toEditorText", () => {
  it("pretty-prints, and shows nothing for no payload", () => {
    expect(toEditorText({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(toEditorText(undefined)).toBe("");
    expect(toEditorText(null)).toBe("null");
  });
});

describe("the error messages", () => {
  const error = (text: string) => {
    const result = parseJsonInput(text);
    if (result.ok) throw new Error(`${text} parsed`);
    return `${result.line}:${result.column} ${result.message}`;
  };

  it("name what was expected and what was found, wherever it is", () => {
    expect(error('{\n  "id": 1,\n  "value": }')).toBe('3:12 Expected a value, found "}"');
    expect(error('{"id": 1')).toBe("1:9 Expected ',' or '}', found the end of the text");
    expect(error("{id: 1}")).toBe('1:2 Expected a property name in double quotes, found "i"');
    expect(error('["a",]')).toBe('1:6 Expected a value, found "]"');
    expect(error('"abc')).toBe("1:5 Unterminated string, found the end of the text");
    expect(error("1 2")).toBe('1:3 Unexpected text after the JSON value, found "2"');
    expect(error('{"a" 1}')).toBe("1:6 Expected ':' after a property name, found \"1\"");
    expect(error("tru")).toBe('1:1 Expected a value, found "t"');
    expect(error('"\\x"')).toBe('1:3 Bad escape in a string, found "x"');
  });

  it("name the problem of a text nested 100,000 deep instead of overflowing the stack", () => {
    const depth = 100_000;
    expect(error("[".repeat(depth))).toBe(`1:${depth + 1} Expected a value, found the end of the text`);
    expect(error(`${'{"a":'.repeat(depth)}1${"}".repeat(depth - 1)}`)).toBe(`1:${6 * depth + 1} Expected ',' or '}', found the end of the text`);
    expect(error(`${"[".repeat(depth)}1${"]".repeat(depth)},`)).toBe(`1:${2 * depth + 2} Unexpected text after the JSON value, found ","`);
  });

  it("find errors after closed containers and in later items", () => {
    expect(error('[[1],[2,],3]')).toBe('1:9 Expected a value, found "]"');
    expect(error('{"a":{"b":[]},"c":{"d" 1}}')).toBe('1:24 Expected \':\' after a property name, found "1"');
    expect(error('[{}, {"x": [true, fals]}]')).toBe('1:19 Expected a value, found "f"');
  });
});
