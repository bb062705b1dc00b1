import { runInNewContext } from "node:vm";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { ForbiddenError, NotFoundError, errorFromWire } from "./errors";

describe("errors", () => {
  it("are named after their class", () => {
    expect(new ForbiddenError("no").name).toBe("ForbiddenError");
    expect(errorFromWire("not_found", "gone")).toMatchObject({ name: "NotFoundError", code: "not_found", message: "gone" });
    expect(String(new NotFoundError("gone"))).toBe("NotFoundError: gone");
  });

  it("keep their names in a minified bundle (the browser client's), where classes are renamed", async () => {
    const result = await build({
      stdin: { contents: `import { errorFromWire } from "./errors"; globalThis.made = errorFromWire("forbidden", "Not allowed");`, resolveDir: import.meta.dirname, loader: "ts" },
      bundle: true,
      minify: true,
      format: "iife",
      write: false,
      logLevel: "silent",
    });
    const context: { made?: Error } = {};
    runInNewContext(result.outputFiles[0]!.text, { globalThis: context });
    expect(context.made?.name).toBe("ForbiddenError");
  });
});
