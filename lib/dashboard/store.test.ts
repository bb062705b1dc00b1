import { describe, expect, it } from "vitest";
import type { DeclarationInfo } from "@/lib/events/core/declarations";
import { NotFoundError } from "@/lib/events/shared/errors";
import type { DashboardClient } from "./fire";
import type { OperatorClient } from "./operator";
import { createDashboardStore, TRACE_CAPACITY, type Scheduler } from "./store";
import { makeTrace } from "./test-traces";

const declarations: DeclarationInfo[] = [
  { name: "model:created", kind: "event", internal: false, singleton: false, presence: false, handlers: 1, schema: null, description: null, counters: { count: 0, errors: 0, lastAt: null } },
  { name: "model:count", kind: "query", internal: true, singleton: true, presence: false, handlers: 1, schema: null, description: null, counters: { count: 0, errors: 0, lastAt: null } },
];

/** Frames run only when the test says so; the clock moves only when the test says so. */
function manualScheduler() {
  const frames: (() => void)[] = [];
  let clock = 1_000_000;
  const scheduler: Scheduler = { frame: (callback) => void frames.push(callback), now: () => clock };
  return {
    scheduler,
    frames,
    runFrames: () => frames.splice(0).forEach((frame) => frame()),
    advance: (ms: number) => (clock += ms),
  };
}

function setup(recordingReplay = false) {
  const time = manualScheduler();
  const store = createDashboardStore({ declarations, subscribers: { "model:created": 1 }, server: { instance: "abc", startedAt: 0 }, recordingReplay }, time.scheduler);
  const { actions } = store.getState();
  const names = () => store.getState().rows.map((row) => row.trace.id);
  return { store, actions, names, ...time };
}

describe("the dashboard store", () => {
  it("under heavy traffic redraws the list at most every 100 ms, and always shows the last arrivals", () => {
    const { actions, names, runFrames, advance } = setup();
    const burst = (from: number) => {
      for (let i = from; i < from + 50; i++) actions.receive(makeTrace({ id: `t${i}` }));
    };
    burst(0);
    runFrames();
    expect(names()[0]).toBe("t49");
    advance(16);
    burst(50);
    runFrames();
    // 16 ms after the last redraw: counted, not yet drawn.
    expect(names()[0]).toBe("t49");
    advance(100);
    runFrames(); // no new arrivals: the frame it asked for draws what is waiting
    expect(names()[0]).toBe("t99");
    // A few traces (light traffic) go on the next frame, whenever the last redraw was.
    actions.receive(makeTrace({ id: "light" }));
    runFrames();
    expect(names()[0]).toBe("light");
  });

  it("starts from the server's snapshot", () => {
    const { store } = setup();
    expect(store.getState().registry["model:created"]).toMatchObject({ internal: false, subscribers: 1 });
    expect(store.getState().rows).toEqual([]);
  });

  it("applies arrivals once per frame, in one batch, newest first", () => {
    const { store, actions, names, frames, runFrames, scheduler } = setup();
    let updates = 0;
    store.subscribe(() => updates++);
    for (const id of ["a", "b", "c"]) actions.receive(makeTrace({ id }));
    expect(frames).toHaveLength(1);
    expect(names()).toEqual([]);
    runFrames();
    expect(updates).toBe(1);
    expect(names()).toEqual(["c", "b", "a"]);
    expect(store.getState().received).toBe(3);
    expect(store.getState().registry["model:created"]!.count).toBe(3);
    actions.tick(scheduler.now());
    expect(store.getState().rate.at(-1)).toBe(3);
  });

  it("counts arrivals in the registry at most four times a second, and on every tick", () => {
    const { store, actions, runFrames, advance, scheduler } = setup();
    const count = () => store.getState().registry["model:created"]!.count;
    actions.receive(makeTrace());
    runFrames();
    expect(count()).toBe(1);
    advance(100);
    actions.receive(makeTrace());
    runFrames();
    expect(count()).toBe(1);
    expect(store.getState().received).toBe(2);
    advance(200);
    actions.receive(makeTrace());
    runFrames();
    expect(count()).toBe(3);
    actions.receive(makeTrace());
    runFrames();
    actions.tick(scheduler.now());
    expect(count()).toBe(4);
  });

  it("keeps only the newest traces, however many arrive", () => {
    const { store, actions, runFrames } = setup();
    for (let i = 0; i < 2_500; i++) actions.receive(makeTrace({ id: String(i) }));
    runFrames();
    const { rows, received } = store.getState();
    expect(rows).toHaveLength(TRACE_CAPACITY);
    expect(rows[0]!.trace.id).toBe("2499");
    expect(rows.at(-1)!.trace.id).toBe("1500");
    expect(received).toBe(2_500);
    expect(new Set(rows.map((row) => row.seq)).size).toBe(TRACE_CAPACITY);
  });

  it("applies at once when too much waits for a frame (a hidden tab gets none)", () => {
    const { store, actions } = setup();
    for (let i = 0; i < 5_000; i++) actions.receive(makeTrace({ id: String(i) }));
    expect(store.getState().received).toBe(5_000);
  });

  it("holds the list still while paused, counts what arrives, and brings it in on resume", () => {
    const { store, actions, names, runFrames } = setup();
    actions.receive(makeTrace({ id: "before" }));
    runFrames();
    actions.pause();
    actions.receive(makeTrace({ id: "during-1" }));
    actions.receive(makeTrace({ id: "during-2" }));
    runFrames();
    expect(names()).toEqual(["before"]);
    expect(store.getState().arrivedWhilePaused).toBe(2);
    actions.tick(Date.now());
    expect(store.getState().registry["model:created"]!.count).toBe(3);
    actions.resume();
    expect(names()).toEqual(["during-2", "during-1", "before"]);
    expect(store.getState().arrivedWhilePaused).toBe(0);
  });

  it("clears the list, the selection and the dropped count", () => {
    const { store, actions, runFrames } = setup();
    actions.receive(makeTrace());
    runFrames();
    actions.select(store.getState().rows[0]!);
    actions.noteGap(5);
    actions.clear();
    expect(store.getState()).toMatchObject({ rows: [], received: 0, selected: null, dropped: { count: 0, unknown: false } });
    actions.receive(makeTrace({ id: "after" }));
    runFrames();
    expect(store.getState().rows).toHaveLength(1);
  });

  it("adds up what the server dropped, and remembers when it could not say how much", () => {
    const { store, actions } = setup();
    actions.noteGap(3);
    actions.noteGap(4);
    expect(store.getState().dropped).toEqual({ count: 7, unknown: false });
    actions.noteGap(null);
    expect(store.getState().dropped).toEqual({ count: 7, unknown: true });
  });

  it("learns the server's instance from the connection", () => {
    const { store, actions } = setup();
    actions.setConnection("connected", { reason: "welcome", instance: "f00d", startedAt: 42 });
    expect(store.getState().server).toEqual({ instance: "f00d", startedAt: 42 });
    actions.setConnection("reconnecting", { reason: "network", retryInMs: 1_500 });
    expect(store.getState().server).toEqual({ instance: "f00d", startedAt: 42 });
    expect(store.getState().connection).toMatchObject({ state: "reconnecting", detail: { retryInMs: 1_500 } });
  });

  it("takes the server's counters from describe without counting the traces before it twice", () => {
    const { store, actions, runFrames } = setup();
    actions.receive(makeTrace());
    runFrames();
    actions.receive(makeTrace()); // queued, not yet applied when the answer comes
    const counters = { count: 2, errors: 0, lastAt: 5 };
    actions.applyDescribe({ events: [{ ...declarations[0]!, counters, subscribers: 0 }], queries: [] });
    actions.tick(Date.now());
    expect(store.getState().registry["model:created"]!.count).toBe(2);
    expect(store.getState().received).toBe(2);
  });

  it("merges filters", () => {
    const { store, actions } = setup();
    actions.setFilters({ name: "model:*" });
    actions.setFilters({ outcome: "error" });
    expect(store.getState().filters).toEqual({ name: "model:*", kind: "", source: "", outcome: "error" });
  });
});

describe("firing from the store", () => {
  const client: DashboardClient = {
    trigger: async () => ({ id: "e-1", handlers: 2, failed: 0, delivered: 3 }),
    request: async (name) => {
      if (name === "model:count") return 7;
      throw new NotFoundError(`Unknown query "${name}"`);
    },
  };

  it("triggers, records the outcome and the history", async () => {
    const { store, actions } = setup();
    actions.setClient(client);
    const outcome = await actions.fire("trigger", "model:created", '{"id": 1, "value": "x"}');
    expect(outcome).toMatchObject({ ok: true, id: "e-1", handlers: 2, delivered: 3 });
    expect(store.getState().outcome).toBe(outcome);
    expect(store.getState().history[0]).toMatchObject({ kind: "trigger", name: "model:created", ok: true, summary: "2 handlers, 3 browsers reached" });
  });

  it("requests and keeps the reply", async () => {
    const { actions } = setup();
    actions.setClient(client);
    await expect(actions.fire("request", "model:count", "")).resolves.toMatchObject({ ok: true, result: 7 });
  });

  it("turns a refusal into an outcome with the error's code and message", async () => {
    const { store, actions } = setup();
    actions.setClient(client);
    await expect(actions.fire("request", "nope", "")).resolves.toMatchObject({ ok: false, code: "not_found", message: 'Unknown query "nope"' });
    expect(store.getState().history[0]).toMatchObject({ ok: false, summary: 'not_found: Unknown query "nope"' });
  });

  it("refuses a payload that is not JSON without sending anything", async () => {
    const { actions } = setup();
    let sent = false;
    actions.setClient({ ...client, trigger: async () => ((sent = true), { id: "x", handlers: 0, failed: 0, delivered: 0 }) });
    await expect(actions.fire("trigger", "model:created", "{oops")).resolves.toMatchObject({ ok: false, code: "bad_request" });
    expect(sent).toBe(false);
  });

  it("says so when there is no connection yet", async () => {
    const { actions } = setup();
    await expect(actions.fire("trigger", "model:created", "{}")).resolves.toMatchObject({ ok: false, code: "unavailable" });
  });
});

describe("the fire draft", () => {
  it("starts on a public event and picks a starting payload from the schema", () => {
    const store = createDashboardStore({
      declarations: [
        ...declarations,
        { ...declarations[0]!, name: "demo:ping", schema: { type: "object", properties: { message: { type: "string" } }, required: ["message"] } },
      ],
      subscribers: {},
      server: { instance: null, startedAt: null },
    });
    expect(store.getState().draft).toEqual({ name: "demo:ping", payload: '{\n  "message": "example"\n}' });
    store.getState().actions.pick("model:count");
    expect(store.getState().draft).toEqual({ name: "model:count", payload: "" });
    store.getState().actions.pick("model:created");
    expect(store.getState().draft.payload).toBe("{}");
    store.getState().actions.editPayload('{"id": 2}');
    store.getState().actions.pick("model:created", '{"id": 3}');
    expect(store.getState().draft).toEqual({ name: "model:created", payload: '{"id": 3}' });
  });
});

describe("recording, export and import", () => {
  it("records every trace from Record to Stop, beyond the list's capacity, and exports them in order", () => {
    const { store, actions, runFrames } = setup();
    actions.receive(makeTrace({ id: "before" }));
    runFrames();
    actions.startRecording();
    for (let i = 0; i < TRACE_CAPACITY + 5; i++) actions.receive(makeTrace({ id: `r${i}` }));
    runFrames();
    actions.stopRecording();
    actions.receive(makeTrace({ id: "after" }));
    runFrames();
    expect(store.getState().recording).toMatchObject({ status: "off", count: TRACE_CAPACITY + 5 });
    expect(store.getState().rows).toHaveLength(TRACE_CAPACITY);
    const { name, text } = actions.exportTraces();
    expect(name).toMatch(/^webfluid-events-abc-\d{8}T\d{6}Z\.ndjson$/);
    const [header, ...lines] = text.trimEnd().split("\n");
    expect(JSON.parse(header!)).toMatchObject({ app: "webfluid-events", instance: "abc", protocol: 1, count: TRACE_CAPACITY + 5, source: "recording" });
    expect(lines.map((line) => (JSON.parse(line) as { id: string }).id)).toEqual(Array.from({ length: TRACE_CAPACITY + 5 }, (_, i) => `r${i}`));
  });

  it("exports the list when nothing was recorded", () => {
    const { actions, runFrames } = setup();
    for (const id of ["a", "b"]) actions.receive(makeTrace({ id }));
    runFrames();
    const lines = actions.exportTraces().text.trimEnd().split("\n");
    expect(JSON.parse(lines[0]!)).toMatchObject({ source: "list", count: 2 });
    expect(lines.slice(1).map((line) => (JSON.parse(line) as { id: string }).id)).toEqual(["a", "b"]);
  });

  it("shows an imported file instead of live traffic until Back to live, and the same rows as were exported", () => {
    const { store, actions, names, runFrames } = setup();
    for (const id of ["a", "b", "c"]) actions.receive(makeTrace({ id }));
    runFrames();
    const exported = actions.exportTraces();
    actions.clear();
    expect(actions.openImport("traces.ndjson", exported.text)).toBeNull();
    expect(store.getState().imported).toMatchObject({ file: "traces.ndjson", header: { count: 3 } });
    expect(names()).toEqual(["c", "b", "a"]);
    // Live traffic keeps arriving, but the imported view stands still.
    actions.receive(makeTrace({ id: "live" }));
    runFrames();
    expect(names()).toEqual(["c", "b", "a"]);
    actions.closeImport();
    expect(names()).toEqual(["live"]);
  });

  it("refuses a file that is not an export, saying why, and stays live", () => {
    const { store, actions } = setup();
    expect(actions.openImport("notes.txt", "hello")).toMatch(/^Line 1 is not a Webfluid Events export header/);
    expect(store.getState().imported).toBeNull();
  });

  describe("replaying it", () => {
    function operator(fired: string[]): OperatorClient {
      return {
        connections: async () => ({ connections: [], instances: [] }),
        disconnect: async () => ({ instance: "abc" }),
        presence: async () => ({ count: 0, members: [] }),
        triggerFromRecording: async ({ name, data }) => void fired.push(`${name} ${JSON.stringify(data)}`),
      };
    }

    it("fires the recorded triggers again, oldest first, on a development server", async () => {
      const { store, actions, runFrames } = setup(true);
      const fired: string[] = [];
      actions.setOperator(operator(fired));
      actions.startRecording();
      actions.receive(makeTrace({ id: "1", at: 1, data: { n: 1 } }));
      actions.receive(makeTrace({ id: "2", at: 2, kind: "request", name: "model:count" }));
      actions.receive(makeTrace({ id: "3", at: 3, data: { n: 3 } }));
      runFrames();
      actions.stopRecording();
      await actions.replayRecording("instant");
      expect(fired).toEqual(['model:created {"n":1}', 'model:created {"n":3}']);
      expect(store.getState().playback).toMatchObject({ status: "done", done: 2, total: 2, failed: 0 });
    });

    it("does nothing where the server said it may not (production)", async () => {
      const { store, actions, runFrames } = setup(false);
      const fired: string[] = [];
      actions.setOperator(operator(fired));
      actions.startRecording();
      actions.receive(makeTrace({ id: "1" }));
      runFrames();
      await actions.replayRecording("instant");
      expect(fired).toEqual([]);
      expect(store.getState().playback.status).toBe("idle");
    });
  });
});
