import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { events } from "@/lib/events";
import { silentLogger } from "@/lib/events/core/logger";
import { validatePayload } from "@/lib/events/core/schema";
import { parseJsonInput } from "@/lib/dashboard/json-input";
import { catalogOf, registryFromSnapshot } from "@/lib/dashboard/registry";
import { starterPayload } from "@/lib/dashboard/store";

describe("the Fire panel's starting payload", () => {
  beforeAll(async () => {
    process.env.DATABASE_PATH = join(mkdtempSync(join(tmpdir(), "wf-defaults-")), "app.db");
    events.configure({ logger: silentLogger });
    await import("@/events");
  });

  it("passes its own schema, for every name the app declares", async () => {
    const snapshot = events.snapshot();
    const catalog = catalogOf(registryFromSnapshot(snapshot, {}, 0));
    const withSchema = snapshot.filter((info) => info.schema !== null);
    expect(withSchema.map((info) => info.name)).toEqual(expect.arrayContaining(["model:created", "demo:ping", "cache:warmed", "demo:two-handlers"]));
    for (const info of snapshot) {
      const text = starterPayload(catalog, info.name);
      const parsed = parseJsonInput(text);
      expect(parsed.ok, `${info.name}: ${text}`).toBe(true);
      const schema = events.find(info.name)!.schema;
      if (!schema || !parsed.ok) continue;
      await expect(validatePayload(schema, parsed.value, info.name), `${info.name} starts with ${text}`).resolves.toBeDefined();
    }
  });
});
