import { describe, expect, it } from "vitest";
import { previewOf } from "@/lib/events/core/trace";
import type { TraceFrame } from "@/lib/events/protocol/frames";
import { isCutPreview } from "@/lib/events/protocol/preview";
import { ForbiddenError, NotFoundError } from "@/lib/events/shared/errors";
import { planReplay, replayRecording, type ReplayClient, type ReplayProgress } from "./recording-replay";

const trace = (at: number, fields: Partial<TraceFrame> = {}): TraceFrame => ({
  type: "trace",
  kind: "trigger",
  name: "model:created",
  id: `e-${at}`,
  internal: false,
  source: "server",
  at,
  handlers: 1,
  delivered: 0,
  durationMs: 1,
  error: null,
  code: null,
  data: { at },
  instance: "a",
  ...fields,
});

/** Records what was fired and every wait, without waiting. */
function harness(fail: (name: string) => Error | null = () => null) {
  const fired: string[] = [];
  const waits: number[] = [];
  const client: ReplayClient = {
    async triggerFromRecording({ name, data }) {
      fired.push(`${name} ${JSON.stringify(data)}`);
      const error = fail(name);
      if (error) throw error;
    },
  };
  const progress: ReplayProgress[] = [];
  const sleep = async (ms: number) => void waits.push(ms);
  return { fired, waits, client, progress, onProgress: (p: ReplayProgress) => void progress.push(p), sleep };
}

describe("replaying a recording", () => {
  it("fires the recorded triggers only, oldest first, and leaves out payloads kept only as a cut preview", () => {
    const cut = previewOf({ text: "x".repeat(5_000) });
    expect(isCutPreview(cut)).toBe(true);
    expect(isCutPreview("a short string… (10 characters, cut)")).toBe(false);
    const plan = planReplay([trace(30), trace(10), trace(20, { kind: "request", name: "model:count" }), trace(15, { data: cut })]);
    expect(plan.triggers.map((t) => t.at)).toEqual([10, 30]);
    expect(plan.skippedCut).toBe(1);
  });

  it("keeps the recorded spacing divided by the speed, and fires the same names and payloads", async () => {
    const h = harness();
    const plan = planReplay([trace(1_000), trace(1_400), trace(2_400, { name: "cache:warmed", data: null })]);
    const end = await replayRecording(plan, h.client, { speed: 2, signal: new AbortController().signal, onProgress: h.onProgress, sleep: h.sleep });
    expect(h.fired).toEqual(['model:created {"at":1000}', 'model:created {"at":1400}', "cache:warmed null"]);
    expect(h.waits).toEqual([200, 500]);
    expect(end).toMatchObject({ status: "done", done: 3, total: 3, failed: 0 });
    expect(h.progress.map((p) => p.done)).toEqual([1, 2, 3]);

    const instant = harness();
    await replayRecording(plan, instant.client, { speed: "instant", signal: new AbortController().signal, onProgress: instant.onProgress, sleep: instant.sleep });
    expect(instant.waits).toEqual([]);
  });

  it("counts a failing trigger and goes on; a refusal (production) ends it at once", async () => {
    const plan = planReplay([trace(1, { name: "gone" }), trace(2), trace(3)]);
    const h = harness((name) => (name === "gone" ? new NotFoundError('Unknown event "gone"') : null));
    expect(await replayRecording(plan, h.client, { speed: "instant", signal: new AbortController().signal, onProgress: h.onProgress })).toMatchObject({
      status: "done",
      done: 3,
      failed: 1,
      lastError: 'not_found: Unknown event "gone"',
    });

    const refused = harness(() => new ForbiddenError("Replaying a recording is for development servers"));
    const end = await replayRecording(plan, refused.client, { speed: "instant", signal: new AbortController().signal, onProgress: refused.onProgress });
    expect(end).toMatchObject({ status: "refused", done: 0, failed: 1, lastError: "forbidden: Replaying a recording is for development servers" });
    expect(refused.fired).toHaveLength(1);
  });

  it("stops when asked, between two triggers", async () => {
    const controller = new AbortController();
    const h = harness(() => {
      controller.abort();
      return null;
    });
    const end = await replayRecording(planReplay([trace(1), trace(2), trace(3)]), h.client, { speed: 1, signal: controller.signal, onProgress: h.onProgress, sleep: h.sleep });
    expect(end).toMatchObject({ status: "stopped", done: 1 });
    expect(h.fired).toHaveLength(1);
  });
});
