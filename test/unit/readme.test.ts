import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { KEYS } from "@/lib/events/config/keys";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

describe("the README", () => {
  it("lists every configuration key with its section and default", () => {
    for (const spec of KEYS) {
      const row = readme.split("\n").find((line) => line.startsWith(`| \`${spec.key}\` |`));
      expect(row, `README row for ${spec.key}`).toBeDefined();
      const [, , section, fallback] = row!.split("|").map((cell) => cell.trim());
      expect(section).toBe(`[${spec.section}]`);
      const expected = spec.default === undefined ? "—" : spec.default === "" ? "(empty)" : `\`${spec.default}\``;
      expect(fallback, `default of ${spec.key}`).toBe(expected);
    }
  });

  it("gives the test command that CI runs", () => {
    const ci = readFileSync(new URL("../../.ci/run", import.meta.url), "utf8");
    expect(readme).toContain("npm ci && npm test");
    expect(ci).toMatch(/^npm ci && npm test$/m);
  });
});
