import { describe, expect, it, vi } from "vitest";

describe("the process bus", () => {
  it("is one instance even when its module is loaded twice (as Next does with route handlers)", async () => {
    const first = await import("./global");
    vi.resetModules();
    const second = await import("./global");
    expect(second).not.toBe(first);
    expect(second.processBus()).toBe(first.processBus());
  });

  it("throws errors that are instances of either copy's classes", async () => {
    const first = await import("../shared/errors");
    vi.resetModules();
    const second = await import("../shared/errors");
    expect(second.NotFoundError).not.toBe(first.NotFoundError);
    const error = new first.NotFoundError("x");
    expect(error).toBeInstanceOf(second.NotFoundError);
    expect(error).toBeInstanceOf(second.EventsError);
    expect(error).not.toBeInstanceOf(second.TimeoutError);
  });
});
