import { findJsonError } from "./json-error-position";

/** What the payload editor's text means. */
export type JsonInput =
  | { ok: true; value: unknown; empty: boolean }
  | { ok: false; message: string; line: number | null; column: number | null };

/**
 * Parses the payload editor's text. Empty text means "no payload" (`undefined`); a syntax error
 * comes back with its line, column and a message that names what was expected and what was found.
 *
 * @example
 * parseJsonInput('{"a": }'); // { ok: false, message: "Expected a value, found \"}\"", line: 1, column: 7 }
 */
export function parseJsonInput(text: string): JsonInput {
  if (text.trim() === "") return { ok: true, value: undefined, empty: true };
  try {
    return { ok: true, value: JSON.parse(text) as unknown, empty: false };
  } catch (error) {
    const found = findJsonError(text);
    if (!found) return { ok: false, message: error instanceof Error ? error.message : String(error), line: null, column: null };
    const before = text.slice(0, found.offset).split("\n");
    return { ok: false, message: found.message, line: before.length, column: before.at(-1)!.length + 1 };
  }
}

/** A value as the editor shows it: pretty JSON, or nothing for "no payload". */
export function toEditorText(value: unknown): string {
  return value === undefined ? "" : JSON.stringify(value, null, 2);
}
