import { describe, expect, it } from "vitest";
import { MemoryHistory } from "./history";

function historyWith(count: number, size = 3): MemoryHistory {
  const history = new MemoryHistory(size, "ep");
  for (let i = 1; i <= count; i++) history.append("x", JSON.stringify(i));
  return history;
}

describe("MemoryHistory", () => {
  it("names ids after its epoch, increasing per name", () => {
    const history = new MemoryHistory(3, "ep");
    expect([history.append("a", "1"), history.append("a", "2"), history.append("b", "1")]).toEqual(["ep-1", "ep-2", "ep-1"]);
  });

  it("replays every event after `since` when it still has them", () => {
    const replay = historyWith(5).since("x", "ep-3");
    expect(replay).toEqual({ recovered: true, missed: null, events: [expect.objectContaining({ id: "ep-4", json: "4" }), expect.objectContaining({ id: "ep-5", json: "5" })] });
  });

  it("replays nothing, recovered, when the client is up to date", () => {
    expect(historyWith(5).since("x", "ep-5")).toEqual({ recovered: true, missed: null, events: [] });
  });

  it("counts what was evicted and replays the rest", () => {
    const replay = historyWith(10, 3).since("x", "ep-2");
    expect(replay.recovered).toBe(false);
    expect(replay.missed).toBe(5);
    expect(replay.events.map((event) => event.id)).toEqual(["ep-8", "ep-9", "ep-10"]);
  });

  it("answers recovered: false with an unknown count for an id of another history", () => {
    const replay = historyWith(2).since("x", "other-1");
    expect(replay).toMatchObject({ recovered: false, missed: null });
    expect(replay.events).toHaveLength(2);
  });

  it("answers recovered: false for an id from the future or one it cannot read", () => {
    expect(historyWith(2).since("x", "ep-9").recovered).toBe(false);
    expect(historyWith(2).since("x", "garbage").recovered).toBe(false);
  });

  it("keeps nothing at size 0 but still knows how much was missed", () => {
    const replay = historyWith(4, 0).since("x", "ep-1");
    expect(replay).toEqual({ recovered: false, missed: 3, events: [] });
  });

  it("keeps no internal events", () => {
    const history = new MemoryHistory(3, "ep");
    history.append("secret", undefined);
    expect(history.since("secret", "ep-0").events).toEqual([]);
  });
});
