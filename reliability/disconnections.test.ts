import { describe, expect, it } from "vitest";
import { disconnections, stretches } from "./disconnections";

describe("stretches", () => {
  it("measures each stretch from leaving connected to the next connected, after `from`", () => {
    const states = [
      { at: 0, state: "connecting" },
      { at: 10, state: "connected" },
      { at: 100, state: "reconnecting" },
      { at: 150, state: "reconnecting" },
      { at: 400, state: "connected" },
      { at: 900, state: "reconnecting" },
      { at: 1_000, state: "connected" },
    ];
    expect(stretches(states, 50, 2_000)).toEqual([
      { ms: 300, finished: true },
      { ms: 100, finished: true },
    ]);
  });

  it("counts a stretch still open at the end to the end, as unfinished", () => {
    expect(stretches([{ at: 100, state: "reconnecting" }], 0, 600)).toEqual([{ ms: 500, finished: false }]);
  });
});

describe("disconnections", () => {
  it("gives p50, p99 and max over every reader's stretches, and how many readers lost theirs", () => {
    const lost = (ms: number) => [
      { at: 1_000, state: "reconnecting" },
      { at: 1_000 + ms, state: "connected" },
    ];
    const readers = [...Array.from({ length: 99 }, () => lost(100)), lost(5_000), [{ at: 0, state: "connected" }]];
    expect(disconnections(readers, 0, 10_000)).toEqual({ count: 100, readers: 100, p50: 100, p99: 100, max: 5_000, unfinished: 0 });
  });

  it("is undefined when nobody lost a connection", () => {
    expect(disconnections([[{ at: 0, state: "connected" }]], 0, 10)).toBeUndefined();
  });
});
