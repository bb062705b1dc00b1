import { describe, expect, it } from "vitest";
import type { DashboardClient } from "./fire";
import { createDashboardStore } from "./store";
import { makeTrace } from "./test-traces";

function setup() {
  const store = createDashboardStore(
    { declarations: [], subscribers: {}, server: { instance: "abc", startedAt: 0 } },
    { frame: (callback) => callback(), now: () => 1_000 },
  );
  const replays: unknown[][] = [];
  const client: DashboardClient = {
    trigger: () => Promise.reject(new Error("a replay is not a plain trigger")),
    request: () => Promise.reject(new Error("a replay is not a plain request")),
    replay: async (...args) => (replays.push(args), { id: "e1-2", handlers: 2, failed: 1, delivered: 0 }),
  };
  store.getState().actions.setClient(client);
  return { store, actions: store.getState().actions, replays };
}

describe("replay and edit from a row", () => {
  it("Replay fires the row's name and payload through the session's replay, and shows the outcome", async () => {
    const { store, actions, replays } = setup();
    const outcome = await actions.replay(makeTrace({ id: "e1-1", data: { note: "again" } }));
    expect(replays).toEqual([["trigger", "model:created", { note: "again" }, "e1-1"]]);
    expect(outcome).toMatchObject({ ok: true, id: "e1-2", failed: 1 });
    expect(store.getState()).toMatchObject({ firing: false, outcome });
  });

  it("Edit and fire puts the row's name and payload into the Fire panel's draft", () => {
    const { store, actions } = setup();
    actions.editTrace(makeTrace({ name: "model:created", data: { id: 9, value: "nine" } }));
    expect(store.getState().draft.name).toBe("model:created");
    expect(JSON.parse(store.getState().draft.payload)).toEqual({ id: 9, value: "nine" });
  });
});
