import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/test/support/app-server";
import { copyProject, type ProjectCopy } from "@/test/support/project-copy";
import { RawClient } from "@/test/support/transport-harness";
import { waitFor } from "@/test/support/wait-for";

// The development server (`npm run dev`: server.ts through tsx, Next with Turbopack) on a copy of
// the app, whose files the tests edit as a developer would. The repository is never touched.

/** Looks at the bus from inside the server: its declarations, and a trigger that says when every handler has run. */
const PROBE_ROUTE = `import { events } from "@/lib/events";
import { logger } from "@/lib/logger";

export const dynamic = "force-dynamic";
let nextId = 1_000_000;

export function GET(): Response {
  return Response.json(events.snapshot());
}

export async function POST(request: Request): Promise<Response> {
  const { value } = (await request.json()) as { value: string };
  const report = await events.trigger("model:created", { id: nextId++, value });
  logger().info({ probe: value }, "probe done");
  return Response.json({ id: report.id, handlers: report.handlers, failed: report.failed });
}
`;

/** A route file that registers handlers at its top level, as an app's route might. */
const editedRoute = (version: string, { audit = false, top = "" } = {}) => `import { events } from "@/lib/events";
import { logger } from "@/lib/logger";

export const dynamic = "force-dynamic";
${top}
events.event("model:created", async function routeSideHandler(data) {
  logger().info({ handler: "routeSideHandler", version: "${version}", value: data.value }, "route-side handler ran");
});
${
  audit
    ? `events.event("model:created", async function routeSideAudit(data) {
  logger().info({ handler: "routeSideAudit", value: data.value }, "route-side audit ran");
});`
    : ""
}
export function GET(): Response {
  return Response.json({ version: "${version}" });
}
`;

interface Trigger {
  handlers: number;
  /** The log records that mention the trigger's value, but for the probe's own. */
  records: Record<string, unknown>[];
}

describe("hot reload under the development server", () => {
  let copy: ProjectCopy;
  let server: AppServer;
  let subscriber: RawClient;
  let firstEventId: string;
  let triggers = 0;
  /** Handlers of model:created at the start: logNewModel (events/models.ts), routeSideHandler and routeSideAudit (the edited route). */
  const START_HANDLERS = 3;

  const url = (path: string) => `${server.url}${path}`;
  const isReload = (record: Record<string, unknown>) => typeof record.msg === "string" && record.msg.startsWith("Reloaded events/");
  const reloadsSoFar = () => server.records().filter(isReload).length;

  /** Edits a file of events/ and waits until the server has re-imported the folder. */
  const editEvents = async (path: string, change: (text: string) => string) => {
    const before = reloadsSoFar();
    copy.edit(path, change);
    await waitFor(() => reloadsSoFar() > before, `the reload after editing ${path}`, 15_000);
    return server.records().filter(isReload).at(-1)!;
  };

  /** Rewrites the edited route and waits until Next serves (and so has evaluated) the new version. */
  const saveRoute = async (version: string, options?: Parameters<typeof editedRoute>[1]) => {
    copy.write("app/api/hmr-edit/route.ts", editedRoute(version, options));
    await waitFor(
      async () => {
        const response = await fetch(url("/api/hmr-edit"));
        return response.ok && ((await response.json()) as { version: string }).version === version;
      },
      `the route's ${version}`,
      30_000,
    );
  };

  const trigger = async (value: string): Promise<Trigger> => {
    const response = await fetch(url("/api/hmr-probe"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ value }) });
    expect(response.status).toBe(200);
    const report = (await response.json()) as { handlers: number; failed: number };
    expect(report.failed).toBe(0);
    triggers++;
    // Every handler has logged before the probe does (one logger, one stream, in order).
    await server.waitForRecord((record) => record.msg === "probe done" && record.probe === value, 10_000);
    const records = server.records().filter((record) => record.msg !== "probe done" && JSON.stringify(record).includes(`"${value}"`));
    return { handlers: report.handlers, records };
  };

  const declaration = async (name: string) => {
    const snapshot = (await (await fetch(url("/api/hmr-probe"))).json()) as { name: string; internal: boolean; handlers: number }[];
    return snapshot.find((info) => info.name === name)!;
  };

  beforeAll(async () => {
    copy = copyProject();
    copy.write("app/api/hmr-probe/route.ts", PROBE_ROUTE);
    copy.write("app/api/hmr-edit/route.ts", editedRoute("v1", { audit: true }));
    server = await startAppServer({ cwd: copy.dir, env: { NODE_ENV: "development" }, timeoutMs: 90_000 });
    // Routes are compiled and evaluated on their first request.
    await waitFor(async () => (await fetch(url("/api/hmr-edit"))).ok, "the edited route", 60_000);
    await waitFor(async () => (await fetch(url("/api/hmr-probe"))).ok, "the probe route", 60_000);
    subscriber = await RawClient.open(`${server.url.replace("http", "ws")}/ws/events`);
    expect(await subscriber.op({ type: "subscribe", event: "model:created" })).toMatchObject({ type: "ok" });
  }, 150_000);

  afterAll(async () => {
    subscriber?.terminate();
    await server?.stop();
    copy?.remove();
  });

  it("runs every handler once before any edit", async () => {
    const { handlers, records } = await trigger("before-edits");
    expect(handlers).toBe(START_HANDLERS);
    expect(records.map((record) => record.handler ?? record.msg).sort()).toEqual([
      'A new model appeared: {"id":1000000,"value":"before-edits"}',
      "routeSideAudit",
      "routeSideHandler",
    ]);
    await subscriber.next((frame) => frame.type === "event");
    firstEventId = subscriber.ofType("event")[0]!.id;
  });

  it("after a handler in events/models.ts is edited, the next trigger runs the new code, once", async () => {
    await editEvents("events/models.ts", (text) => text.replace("`A new model appeared: ", "`A model arrived (edited): "));
    const { handlers, records } = await trigger("after-models-edit");
    expect(handlers).toBe(START_HANDLERS);
    const fromModels = records.filter((record) => record.event === "model:created");
    expect(fromModels.map((record) => record.msg)).toEqual([`A model arrived (edited): {"id":1000001,"value":"after-models-edit"}`]);
  });

  it("after a handler in a route file is edited (and another deleted), the next trigger runs the new one once, and not the deleted one", async () => {
    await saveRoute("v2");
    const { handlers, records } = await trigger("after-route-edit");
    expect(handlers).toBe(START_HANDLERS - 1);
    expect(records.filter((record) => typeof record.handler === "string").map((record) => `${record.handler} ${record.version ?? ""}`.trim())).toEqual([
      "routeSideHandler v2",
    ]);
  });

  it("after ten saves of a route file and ten of events/models.ts, each handler still runs once", async () => {
    for (let save = 3; save <= 12; save++) {
      await saveRoute(`v${save}`);
      await editEvents("events/models.ts", (text) => text.replace(/`A model arrived \([^)]*\): /, `\`A model arrived (save ${save}): `));
    }
    const { handlers, records } = await trigger("after-ten-saves");
    expect(handlers).toBe(START_HANDLERS - 1);
    expect(records.map((record) => record.handler ?? record.msg).sort()).toEqual([
      expect.stringMatching(/^A model arrived \(save 12\): /),
      "routeSideHandler",
    ]);
    expect(records.find((record) => record.handler === "routeSideHandler")?.version).toBe("v12");
  }, 150_000);

  it("a save that breaks events/models.ts is logged and changes nothing; the fixed file reloads", async () => {
    const failures = () => server.records().filter((record) => typeof record.msg === "string" && record.msg.startsWith("Reloading events/ failed")).length;
    const good = copy.read("events/models.ts");
    copy.write("events/models.ts", `${good}\nexport const broken = ;\n`);
    await waitFor(() => failures() === 1, "the failed reload", 15_000);
    const { records } = await trigger("while-broken");
    expect(records.map((record) => record.handler ?? record.msg).sort()).toEqual([expect.stringMatching(/^A model arrived \(save 12\): /), "routeSideHandler"]);
    await editEvents("events/models.ts", () => good);
  });

  it("after a handler is deleted from events/models.ts, it no longer runs and the reload says it was removed", async () => {
    const reload = await editEvents("events/models.ts", (text) =>
      text.replace(/\/\/ A server-side reaction[\s\S]*?\n\}\);\n/, "// (the reaction was deleted)\n"),
    );
    expect(reload.removed).toEqual(["model:created: logNewModel"]);
    const { handlers, records } = await trigger("after-delete");
    expect(handlers).toBe(START_HANDLERS - 2);
    expect(records.map((record) => record.handler ?? record.msg)).toEqual(["routeSideHandler"]);
    expect((await declaration("model:created")).handlers).toBe(START_HANDLERS - 2);
  });

  it("a declaration whose flags its module changes is re-declared: cache:warmed made public shows to browsers", async () => {
    const page = await RawClient.open(`${server.url.replace("http", "ws")}/ws/events`);
    try {
      const names = async () => ((await page.op({ type: "describe" })).events as { name: string }[]).map((event) => event.name);
      expect(await names()).not.toContain("cache:warmed");
      await editEvents("events/demo.ts", (text) => text.replace(/events\.createSignal\("cache:warmed", \{\n  internal: true,/, 'events.createSignal("cache:warmed", {\n  internal: false,'));
      expect(await declaration("cache:warmed")).toMatchObject({ internal: false, handlers: 1 });
      expect(await names()).toContain("cache:warmed");
    } finally {
      page.terminate();
    }
  });

  it("another module declaring a name with other flags is refused with a conflict naming both, and its old handlers keep running", async () => {
    copy.write("app/api/hmr-edit/route.ts", editedRoute("v13", { top: 'events.createSignal("model:created", { internal: true });' }));
    const conflict = 'is already declared as an event { internal: false, singleton: false } in events/models.ts; it cannot be re-declared as an event { internal: true, singleton: false } in app/api/hmr-edit/route.ts';
    await waitFor(async () => (await fetch(url("/api/hmr-edit"))).status === 500 && server.lines.some((line) => line.includes(conflict)), "the conflict", 30_000);
    const { records } = await trigger("during-conflict");
    expect(records.filter((record) => typeof record.handler === "string").map((record) => `${record.handler} ${record.version}`)).toEqual(["routeSideHandler v12"]);
    await saveRoute("v14");
    const fixed = await trigger("after-fix");
    expect(fixed.records.filter((record) => typeof record.handler === "string").map((record) => `${record.handler} ${record.version}`)).toEqual(["routeSideHandler v14"]);
  });

  it("keeps sockets, subscriptions and history through every reload", async () => {
    // The subscriber connected before the first edit, never reconnected, and got every trigger once.
    await waitFor(() => subscriber.ofType("event").length === triggers, `${triggers} events on the first socket`, 5_000);
    expect(subscriber.closeCode).toBeUndefined();
    expect(subscriber.ofType("welcome")).toHaveLength(1);
    // The history still holds what was triggered before the first edit.
    const late = await RawClient.open(`${server.url.replace("http", "ws")}/ws/events`);
    try {
      expect(await late.op({ type: "subscribe", event: "model:created", since: firstEventId })).toMatchObject({ type: "ok", recovered: true });
      await waitFor(() => late.ofType("event").length === triggers - 1, "the replayed events", 5_000);
    } finally {
      late.terminate();
    }
  });
});
