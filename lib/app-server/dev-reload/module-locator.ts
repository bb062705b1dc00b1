import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { isNodeModuleRunner, projectPath, type ModuleLocator, type StackFrame } from "@/lib/events";

/**
 * Finds the module whose evaluation makes a registration, in the two kinds of code that register
 * in development: what server.ts imports through tsx (Node's own loader runs each module's top
 * level), and route files, which Next compiles with Turbopack. Modules are named relative to
 * `root`, the same in both (`events/models.ts`), so a module Next bundles as well as tsx loads is
 * one module.
 *
 * Turbopack, as checked with Next 16.4: a module's factory is named "module evaluation" when it
 * runs from a chunk on disk (its module id is the header above that line in the chunk), and a
 * module re-run by server hot reload is `eval`ed with its id in the script's URL
 * (`…chunk.js?id=[project]/app/api/models/route.ts [app-route] (ecmascript)`), called from the
 * runtime chunk. A frame this does not recognise names no module: the registration then keeps
 * the identity of one made at run time (its source text).
 */
export function appModuleLocator(root: string): ModuleLocator {
  const chunks = new ChunkHeaders();
  const paths = new ProjectPaths(root);
  return (frames) => {
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i]!;
      const next = frames[i + 1];
      if (isTurbopackEvaluation(frame, next)) {
        const id = turbopackModuleId(frame, chunks);
        return id === undefined ? undefined : paths.of(id);
      }
      if (next && isNodeModuleRunner(next)) return frame.file ? projectPath(frame.file, root) : undefined;
    }
    return undefined;
  };
}

const RUNTIME_CHUNK = /[\\/]\[turbopack\]_runtime\.js$/;
/** `[project]/app/api/models/route.ts [app-route] (ecmascript) <locals>` → `app/api/models/route.ts` */
const MODULE_ID = /^\[project\]\/(.+?) \[[^\]]+\] \([^)]+\)/;
/** A module's header in a Turbopack chunk: `"[project]/… (ecmascript)", ((__turbopack_context__…) => {` */
const CHUNK_HEADER = /^"(\[project\]\/[^"]+)", \(\(__turbopack_context__/;

function isTurbopackEvaluation(frame: StackFrame, next: StackFrame | undefined): boolean {
  if (frame.fn === "module evaluation") return true;
  return hotModuleId(frame) !== undefined && next?.file !== undefined && RUNTIME_CHUNK.test(next.file);
}

function turbopackModuleId(frame: StackFrame, chunks: ChunkHeaders): string | undefined {
  return hotModuleId(frame) ?? (frame.file && frame.line ? chunks.moduleAt(frame.file, frame.line) : undefined);
}

/** The module id in the URL of a module re-run by server hot reload. */
function hotModuleId(frame: StackFrame): string | undefined {
  if (!frame.file?.startsWith("file:") || !frame.file.includes("?")) return undefined;
  const id = new URL(frame.file).searchParams.get("id") ?? undefined;
  return id?.startsWith("[project]/") ? id : undefined;
}

/** Which module each line of a chunk belongs to, read once per version of the file. */
class ChunkHeaders {
  #byFile = new Map<string, { mtimeMs: number; headers: { line: number; id: string }[] }>();

  moduleAt(file: string, line: number): string | undefined {
    const headers = this.#headers(file);
    let found: string | undefined;
    for (const header of headers) {
      if (header.line > line) break;
      found = header.id;
    }
    return found;
  }

  #headers(file: string): { line: number; id: string }[] {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(file).mtimeMs;
    } catch {
      return [];
    }
    const cached = this.#byFile.get(file);
    if (cached?.mtimeMs === mtimeMs) return cached.headers;
    const headers: { line: number; id: string }[] = [];
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((text, index) => {
        const match = CHUNK_HEADER.exec(text);
        if (match) headers.push({ line: index + 1, id: match[1]! });
      });
    this.#byFile.set(file, { mtimeMs, headers });
    return headers;
  }
}

/**
 * `[project]` is Turbopack's root: the project, or a folder above it (the nearest lockfile's).
 * A module id's path is found under the first of root and its parents that holds it.
 */
class ProjectPaths {
  readonly #root: string;
  #byId = new Map<string, string | undefined>();

  constructor(root: string) {
    this.#root = root;
  }

  of(id: string): string | undefined {
    if (this.#byId.has(id)) return this.#byId.get(id);
    const path = MODULE_ID.exec(id)?.[1];
    let found: string | undefined;
    for (let dir = this.#root; path !== undefined; dir = dirname(dir)) {
      if (existsSync(join(dir, path))) {
        found = projectPath(join(dir, path), this.#root);
        break;
      }
      if (dirname(dir) === dir) break;
    }
    this.#byId.set(id, found);
    return found;
  }
}
