import { describe, expect, it } from "vitest";
import { isDark, parseThemeChoice, THEME_BOOT_SCRIPT } from "./theme";

describe("the theme", () => {
  it("defaults to the system's choice for anything unknown", () => {
    expect(parseThemeChoice(null)).toBe("system");
    expect(parseThemeChoice("purple")).toBe("system");
    expect(parseThemeChoice("dark")).toBe("dark");
  });

  it("is dark when chosen, or when the system prefers it and nothing was chosen", () => {
    expect(isDark("dark", false)).toBe(true);
    expect(isDark("light", true)).toBe(false);
    expect(isDark("system", true)).toBe(true);
    expect(isDark("system", false)).toBe(false);
  });

  it("boots with a script that is valid JavaScript", () => {
    expect(() => new Function(THEME_BOOT_SCRIPT)).not.toThrow();
  });
});
