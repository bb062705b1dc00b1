import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { events, InvalidPayloadError } from "@/lib/events";
import { silentLogger } from "@/lib/events/core/logger";

describe("the app's declarations", () => {
  beforeAll(async () => {
    process.env.DATABASE_PATH = join(mkdtempSync(join(tmpdir(), "wf-models-")), "app.db");
    events.configure({ logger: silentLogger });
    await import("@/events");
  });

  it("declare model:created as a public broadcast with a schema, and model:count as an internal singleton query", () => {
    const byName = Object.fromEntries(events.snapshot().map((info) => [info.name, info]));
    expect(byName["model:created"]).toMatchObject({ kind: "event", internal: false, singleton: false, handlers: 1 });
    expect(byName["model:created"]!.schema).toMatchObject({ required: ["id", "value"] });
    expect(byName["model:count"]).toMatchObject({ kind: "query", internal: true, singleton: true, handlers: 1 });
  });

  it("count the rows of the models table with model:count", async () => {
    const { insertModel } = await import("@/lib/db/models");
    const before = await events.request("model:count");
    insertModel("a");
    insertModel("b");
    await expect(events.request("model:count")).resolves.toBe(before + 2);
  });

  it("refuse a model:created payload that breaks its schema", async () => {
    await expect(events.trigger("model:created", { id: -1, value: "x" })).rejects.toBeInstanceOf(InvalidPayloadError);
  });
});
