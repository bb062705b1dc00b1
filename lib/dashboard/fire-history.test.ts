import { describe, expect, it } from "vitest";
import { addToHistory, HISTORY_LIMIT, parseStoredHistory, type FireEntry } from "./fire-history";

const entry = (id: string, overrides: Partial<FireEntry> = {}): FireEntry => ({
  id,
  kind: "trigger",
  name: "model:created",
  payload: `{"id":${id}}`,
  at: 0,
  ok: true,
  summary: "delivered to 0 browsers",
  ...overrides,
});

describe("addToHistory", () => {
  it("puts the newest first", () => {
    expect(addToHistory([entry("1")], entry("2")).map((e) => e.id)).toEqual(["2", "1"]);
  });

  it("moves a repeat to the top instead of listing it twice", () => {
    const history = [entry("2"), entry("1")];
    const again = entry("3", { payload: '{"id":1}' });
    expect(addToHistory(history, again).map((e) => e.id)).toEqual(["3", "2"]);
  });

  it("keeps at most the limit", () => {
    let history: FireEntry[] = [];
    for (let i = 0; i < HISTORY_LIMIT + 5; i++) history = addToHistory(history, entry(String(i)));
    expect(history).toHaveLength(HISTORY_LIMIT);
    expect(history[0]!.id).toBe(String(HISTORY_LIMIT + 4));
  });
});

describe("parseStoredHistory", () => {
  it("round-trips through JSON", () => {
    const history = [entry("1"), entry("2", { kind: "request", name: "model:count", payload: "", ok: false, summary: "timeout: …" })];
    expect(parseStoredHistory(JSON.stringify(history))).toEqual(history);
  });

  it("drops what is not an entry and survives garbage", () => {
    expect(parseStoredHistory(JSON.stringify([entry("1"), { id: 1 }, null, "x"]))).toEqual([entry("1")]);
    expect(parseStoredHistory("{not json")).toEqual([]);
    expect(parseStoredHistory('{"a":1}')).toEqual([]);
    expect(parseStoredHistory(null)).toEqual([]);
  });
});
