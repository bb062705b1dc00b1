import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { MANIFEST_NAME, readManifest, SCREENSHOTS_DIR, sha256Of, UPDATE_COMMAND } from "@/test/support/screenshot-manifest";

const ROOT = resolve(import.meta.dirname, "../..");
const DOCS = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((file) => file.endsWith(".md")).map((file) => `docs/${file}`)];

/** Every mention of a file in docs/screenshots/ in the Markdown files, as a path from the repository's root. */
function mentions(): { doc: string; path: string }[] {
  return DOCS.flatMap((doc) => {
    const text = readFileSync(join(ROOT, doc), "utf8");
    const base = doc.includes("/") ? doc.slice(0, doc.lastIndexOf("/") + 1) : "";
    return [...text.matchAll(/[\w./-]*screenshots\/[\w.-]+/g)].map(([found]) => ({ doc, path: resolve(ROOT, base, found).slice(ROOT.length + 1) }));
  });
}

describe("the README's pictures (docs/screenshots/)", () => {
  const manifest = readManifest();
  const pictures = readdirSync(SCREENSHOTS_DIR).filter((file) => file !== MANIFEST_NAME);

  it("come with the manifest that e2e/screenshots.spec.ts wrote, naming each file in the folder and no other", () => {
    expect(manifest, `no ${MANIFEST_NAME}: run ${UPDATE_COMMAND}`).toBeDefined();
    expect(Object.keys(manifest!.pictures).sort()).toEqual([...pictures].sort());
  });

  it("are the files the manifest describes (a picture replaced by hand would not be)", () => {
    for (const [name, entry] of Object.entries(manifest!.pictures)) {
      expect(sha256Of(join(SCREENSHOTS_DIR, name)), `${name} is not the picture ${MANIFEST_NAME} describes: run ${UPDATE_COMMAND}`).toBe(entry.sha256);
      expect(entry.panels.length, `${name} shows no panel`).toBeGreaterThan(0);
    }
  });

  it("are each shown in the README as an image with a description, and nothing else in the docs names one", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const images = [...readme.matchAll(/!\[([^\]]*)\]\((docs\/screenshots\/[^)\s]+)\)/g)].map(([, alt, path]) => ({ alt: alt!, path: path! }));
    expect(images.map((image) => image.path).sort()).toEqual(pictures.map((file) => `docs/screenshots/${file}`).sort());
    for (const image of images) expect(image.alt.trim(), `the description of ${image.path}`).not.toBe("");
    for (const { doc, path } of mentions()) expect(existsSync(join(ROOT, path)), `${doc} names ${path}`).toBe(true);
  });
});
