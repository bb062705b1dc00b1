import { describe, expect, it } from "vitest";
import type { TraceFrame } from "@/lib/events/protocol/frames";
import type { DashboardClient } from "./fire";
import { findOriginal, payloadWasCut, replayId, replayOnce } from "./replay";

const trace = (fields: Partial<TraceFrame> = {}): TraceFrame => ({
  type: "trace",
  kind: "trigger",
  name: "note:added",
  id: "e1-4",
  internal: false,
  source: "server",
  at: 1_750_000_000_000,
  handlers: 1,
  delivered: 0,
  durationMs: 1,
  error: null,
  code: null,
  data: { text: "hi" },
  instance: "i1",
  ...fields,
});

function recordingClient() {
  const calls: unknown[][] = [];
  const client: DashboardClient = {
    trigger: () => Promise.reject(new Error("not this")),
    request: () => Promise.reject(new Error("not this")),
    replay: async (...args) => {
      calls.push(args);
      return args[0] === "trigger" ? { id: "e1-5", handlers: 1, failed: 0, delivered: 2 } : 42;
    },
  };
  return { client, calls };
}

describe("replayOnce", () => {
  it("fires the same name and payload again, naming the original", async () => {
    const { client, calls } = recordingClient();
    const outcome = await replayOnce(client, trace(), () => 0);
    expect(calls).toEqual([["trigger", "note:added", { text: "hi" }, "e1-4"]]);
    expect(outcome).toMatchObject({ ok: true, kind: "trigger", id: "e1-5", delivered: 2 });
  });

  it("asks a request again, with its reply as the outcome", async () => {
    const { client, calls } = recordingClient();
    const outcome = await replayOnce(client, trace({ kind: "request", name: "note:count", id: "i1-r3", data: null }), () => 0);
    expect(calls).toEqual([["request", "note:count", null, "i1-r3"]]);
    expect(outcome).toMatchObject({ ok: true, kind: "request", result: 42 });
  });

  it("does not replay a payload the server cut for the dashboard", async () => {
    const { client, calls } = recordingClient();
    const cut = trace({ data: `{"text":"${"x".repeat(4086)}… (10011 characters, cut)` });
    expect(payloadWasCut(cut)).toBe(true);
    expect(await replayOnce(client, cut, () => 0)).toMatchObject({ ok: false, code: "too_large" });
    expect(calls).toEqual([]);
  });

  it("turns a refusal into an outcome with the server's code", async () => {
    const client: DashboardClient = {
      trigger: () => Promise.reject(new Error("unused")),
      request: () => Promise.reject(new Error("unused")),
      replay: () => Promise.reject(Object.assign(new Error("Invalid payload"), { code: "invalid_payload" })),
    };
    expect(await replayOnce(client, trace(), () => 0)).toMatchObject({ ok: false, code: "invalid_payload", message: "Invalid payload" });
  });
});

describe("replayId and findOriginal", () => {
  it("name a refused trigger (no id) by its time and instance, and find the original, not another replay", () => {
    const refused = trace({ id: "", code: "invalid_payload" });
    expect(replayId(refused)).toBe("refused@1750000000000@i1");
    const original = { trace: trace() };
    const replay = { trace: trace({ id: "e1-5", replayOf: "e1-4" }) };
    const refusedRow = { trace: refused };
    expect(findOriginal([replay, refusedRow, original], "e1-4")).toBe(original);
    expect(findOriginal([replay, refusedRow, original], "refused@1750000000000@i1")).toBe(refusedRow);
    expect(findOriginal([replay], "e1-1")).toBeUndefined();
  });
});
