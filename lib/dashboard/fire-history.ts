/** One thing fired from the dashboard, kept so it can be fired again with one click. */
export interface FireEntry {
  /** Unique per entry (time and a counter). */
  id: string;
  kind: "trigger" | "request";
  name: string;
  /** The payload as the editor held it ("" for none). */
  payload: string;
  at: number;
  ok: boolean;
  /** One line: "delivered to 2 browsers", "reply 42 in 3 ms", "invalid_payload: …". */
  summary: string;
}

/** Where the history is kept between visits. */
export const HISTORY_STORAGE_KEY = "wf.dashboard.fire-history";
/** How many entries are kept. @default 30 */
export const HISTORY_LIMIT = 30;

/** Adds an entry at the top; firing the same name and payload again moves it up instead of repeating it. */
export function addToHistory(history: readonly FireEntry[], entry: FireEntry, limit = HISTORY_LIMIT): FireEntry[] {
  const others = history.filter((old) => !(old.kind === entry.kind && old.name === entry.name && old.payload === entry.payload));
  return [entry, ...others].slice(0, limit);
}

/** Reads a stored history, dropping whatever is not a well-formed entry (storage is user-editable). */
export function parseStoredHistory(text: string | null): FireEntry[] {
  if (!text) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(isEntry).slice(0, HISTORY_LIMIT);
}

function isEntry(value: unknown): value is FireEntry {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.id === "string" &&
    (entry.kind === "trigger" || entry.kind === "request") &&
    typeof entry.name === "string" &&
    typeof entry.payload === "string" &&
    typeof entry.at === "number" &&
    typeof entry.ok === "boolean" &&
    typeof entry.summary === "string"
  );
}
