import { describe, expect, it } from "vitest";
import { formatEventId, isNewerEventId, parseEventId } from "./event-id";

describe("event ids", () => {
  it("are `<epoch>-<seq>`, and the epoch may itself contain dashes", () => {
    expect(formatEventId("3f9c2a1b", 7)).toBe("3f9c2a1b-7");
    expect(parseEventId("3f9c2a1b-7")).toEqual({ epoch: "3f9c2a1b", seq: 7 });
    expect(parseEventId("a-b-0")).toEqual({ epoch: "a-b", seq: 0 });
  });

  it.each(["", "7", "-7", "abc-", "abc-x", "abc-1.5", "abc-99999999999999999", "abc- 1"])("refuse %j", (id) => {
    expect(parseEventId(id)).toBeUndefined();
  });

  it("compare within one history by sequence number", () => {
    expect(isNewerEventId("e-5", "e-4")).toBe(true);
    expect(isNewerEventId("e-4", "e-4")).toBe(false);
    expect(isNewerEventId("e-3", "e-4")).toBe(false);
    expect(isNewerEventId("e-10", "e-9")).toBe(true);
  });

  it("count an id of another history, or an unreadable one, as newer (deliver rather than drop)", () => {
    expect(isNewerEventId("f-1", "e-40")).toBe(true);
    expect(isNewerEventId("e-1", "garbage")).toBe(true);
    expect(isNewerEventId("e-1", undefined)).toBe(true);
  });
});
