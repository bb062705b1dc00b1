import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { StackFrame } from "@/lib/events";
import { appModuleLocator } from "./module-locator";

// Frames as V8 gives them under the development server (checked with Next 16.4 and tsx 4).
let workspace: string;
let root: string;
let chunk: string;
let runtime: StackFrame;

beforeAll(() => {
  // Turbopack's root is the lockfile's folder, here one above the project.
  workspace = mkdtempSync(join(tmpdir(), "wf-locator-"));
  root = join(workspace, "site");
  for (const file of ["app/api/models/route.ts", "events/schemas.ts", "events/models.ts"]) {
    mkdirSync(join(root, file, ".."), { recursive: true });
    writeFileSync(join(root, file), "");
  }
  const chunks = join(root, ".next/dev/server/chunks");
  mkdirSync(chunks, { recursive: true });
  chunk = join(chunks, "[root-of-the-server]__1gdvatxg8oaeb._.js");
  writeFileSync(
    chunk,
    [
      "module.exports = [",
      '"[project]/site/app/api/models/route.ts [app-route] (ecmascript)", ((__turbopack_context__) => {',
      '"use strict";',
      "events.event(…);",
      "}),",
      '"[project]/site/events/schemas.ts [app-route] (ecmascript)", ((__turbopack_context__) => {',
      "z.object(…);",
      "}),",
      "];",
    ].join("\n"),
  );
  runtime = { file: join(chunks, "[turbopack]_runtime.js"), fn: undefined, line: 1458 };
});

describe("appModuleLocator", () => {
  it("names a route module that Turbopack evaluates from a chunk, by the chunk's header above the line", () => {
    const locate = appModuleLocator(root);
    expect(locate([{ file: chunk, fn: "module evaluation", line: 4 }, runtime])).toBe("app/api/models/route.ts");
    expect(locate([{ file: chunk, fn: "module evaluation", line: 7 }, runtime])).toBe("events/schemas.ts");
  });

  it("names a route module re-run by server hot reload by the module id in its script's URL", () => {
    const locate = appModuleLocator(root);
    const hot = `${pathToFileURL(chunk).href}?id=%5Bproject%5D/site/app/api/models/route.ts+%5Bapp-route%5D+(ecmascript)`;
    expect(locate([{ file: hot, fn: "eval", line: 93 }, runtime])).toBe("app/api/models/route.ts");
  });

  it("gives a module Next bundles and tsx loads one name", () => {
    const locate = appModuleLocator(root);
    const esm: StackFrame[] = [
      { file: `${pathToFileURL(join(root, "events/models.ts")).href}?wf-reload=2`, fn: undefined, line: 1 },
      { file: "node:internal/modules/esm/module_job", fn: "ModuleJob.run", line: 325 },
    ];
    expect(locate(esm)).toBe("events/models.ts");
  });

  it("finds no module for a registration a route makes while it handles a request", () => {
    const locate = appModuleLocator(root);
    const frames: StackFrame[] = [
      { file: chunk, fn: "POST", line: 4 },
      { file: "/srv/node_modules/next/dist/compiled/next-server/app-route-turbo.runtime.dev.js", fn: "AppRouteRouteModule.do", line: 5 },
    ];
    expect(locate(frames)).toBeUndefined();
  });

  it("finds no module in frames it does not recognise (a chunk format it does not know)", () => {
    const locate = appModuleLocator(root);
    expect(locate([{ file: join(root, ".next/dev/server/chunks/other.js"), fn: "module evaluation", line: 3 }, runtime])).toBeUndefined();
  });
});
