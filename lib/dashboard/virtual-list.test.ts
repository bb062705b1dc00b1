import { describe, expect, it } from "vitest";
import { visibleRange } from "./virtual-list";

describe("visibleRange", () => {
  it("renders the rows in view plus the overscan", () => {
    expect(visibleRange({ count: 1000, rowHeight: 28, scrollTop: 560, viewportHeight: 280 })).toEqual({ start: 14, end: 36, offset: 392, height: 28_000 });
  });

  it("starts at the top", () => {
    expect(visibleRange({ count: 1000, rowHeight: 20, scrollTop: 0, viewportHeight: 100, overscan: 2 })).toEqual({ start: 0, end: 7, offset: 0, height: 20_000 });
  });

  it("never goes past the end, even when scrolled beyond it (the list shrank)", () => {
    const range = visibleRange({ count: 50, rowHeight: 20, scrollTop: 99_999, viewportHeight: 200, overscan: 3 });
    expect(range).toEqual({ start: 37, end: 50, offset: 740, height: 1_000 });
  });

  it("renders everything when the list is shorter than the viewport", () => {
    expect(visibleRange({ count: 3, rowHeight: 20, scrollTop: 0, viewportHeight: 500 })).toMatchObject({ start: 0, end: 3 });
  });

  it("renders nothing for an empty list", () => {
    expect(visibleRange({ count: 0, rowHeight: 20, scrollTop: 0, viewportHeight: 500 })).toEqual({ start: 0, end: 0, offset: 0, height: 0 });
  });
});
