import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * The README's pictures and what each one shows. e2e/screenshots.spec.ts writes both with
 * UPDATE_SCREENSHOTS=1, and fails when the page has a panel that no committed picture shows;
 * test/unit/screenshots.test.ts keeps the folder, the manifest and the README in step.
 */
export const SCREENSHOTS_DIR = resolve(import.meta.dirname, "../../docs/screenshots");
export const MANIFEST_NAME = "manifest.json";

export interface PictureEntry {
  /** The app's path the picture was taken of, e.g. "/". */
  page: string;
  /** The names of the panels (the page's top-level landmark regions) visible in the picture. */
  panels: string[];
  /** Of the file as written, so that a picture replaced without its manifest is noticed. */
  sha256: string;
}

export interface ScreenshotManifest {
  about: string;
  /** File name in docs/screenshots → what it shows. */
  pictures: Record<string, PictureEntry>;
}

export const UPDATE_COMMAND = "UPDATE_SCREENSHOTS=1 CI=true npx playwright test e2e/screenshots.spec.ts";

export function sha256Of(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** The committed manifest, or undefined when there is none. Throws when it is not one. */
export function readManifest(dir = SCREENSHOTS_DIR): ScreenshotManifest | undefined {
  const file = join(dir, MANIFEST_NAME);
  if (!existsSync(file)) return undefined;
  const manifest = JSON.parse(readFileSync(file, "utf8")) as ScreenshotManifest;
  const valid =
    typeof manifest?.pictures === "object" &&
    Object.values(manifest.pictures).every(
      (entry) => typeof entry.page === "string" && typeof entry.sha256 === "string" && Array.isArray(entry.panels) && entry.panels.every((panel) => typeof panel === "string"),
    );
  if (!valid) throw new Error(`${file} is not a screenshot manifest: run ${UPDATE_COMMAND}`);
  return manifest;
}

/** Writes the manifest for pictures already written to `dir`, with their hashes. */
export function writeManifest(pictures: Record<string, Omit<PictureEntry, "sha256">>, dir = SCREENSHOTS_DIR): void {
  const manifest: ScreenshotManifest = {
    about: `Written by e2e/screenshots.spec.ts (${UPDATE_COMMAND}): the panels each picture shows. Not to be edited by hand.`,
    pictures: Object.fromEntries(
      Object.entries(pictures).map(([name, entry]) => [name, { page: entry.page, panels: [...entry.panels].sort(), sha256: sha256Of(join(dir, name)) }]),
    ),
  };
  writeFileSync(join(dir, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Of `panels` (what `page` has), those no picture of `page` shows, and those its pictures show that the page no longer has. */
export function compareWithPage(
  pictures: Iterable<Pick<PictureEntry, "page" | "panels">>,
  page: string,
  panels: readonly string[],
): { missing: string[]; stale: string[] } {
  const shown = new Set([...pictures].filter((entry) => entry.page === page).flatMap((entry) => entry.panels));
  return {
    missing: panels.filter((panel) => !shown.has(panel)),
    stale: [...shown].filter((panel) => !panels.includes(panel)),
  };
}
