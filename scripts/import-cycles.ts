/**
 * Fails on any import circle in lib/, type-only imports included (ESLint's import/no-cycle skips
 * those, yet they tie modules together just the same). Part of `npm run lint`.
 *
 *   node --import tsx scripts/import-cycles.ts [folder…]   # default: lib
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

const ROOT = resolve(import.meta.dirname, "..");
const roots = (process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["lib"]).map((folder) => resolve(ROOT, folder));

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((entry) => {
    const path = join(folder, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(entry) && !/\.d\.ts$/.test(entry) ? [path] : [];
  });
}

/** The file an import names, for relative and `@/` imports; undefined for packages. */
function resolveImport(from: string, specifier: string): string | undefined {
  const base = specifier.startsWith("@/") ? join(ROOT, specifier.slice(2)) : specifier.startsWith(".") ? resolve(dirname(from), specifier) : undefined;
  if (!base) return undefined;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts"), join(base, "index.tsx")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

const files = roots.flatMap(sourceFiles);
const graph = new Map<string, string[]>();
for (const file of files) {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  graph.set(file, importedFiles.map((imported) => resolveImport(file, imported.fileName)).filter((target): target is string => target !== undefined));
}

// Tarjan's strongly connected components: every component of more than one file is a circle.
let index = 0;
const indices = new Map<string, number>();
const lowLinks = new Map<string, number>();
const stack: string[] = [];
const onStack = new Set<string>();
const circles: string[][] = [];
function visit(file: string): void {
  indices.set(file, index);
  lowLinks.set(file, index++);
  stack.push(file);
  onStack.add(file);
  for (const target of graph.get(file) ?? []) {
    if (!indices.has(target)) {
      if (!graph.has(target)) continue; // outside the folders checked
      visit(target);
      lowLinks.set(file, Math.min(lowLinks.get(file)!, lowLinks.get(target)!));
    } else if (onStack.has(target)) {
      lowLinks.set(file, Math.min(lowLinks.get(file)!, indices.get(target)!));
    }
  }
  if (lowLinks.get(file) !== indices.get(file)) return;
  const component: string[] = [];
  let member: string;
  do {
    member = stack.pop()!;
    onStack.delete(member);
    component.push(member);
  } while (member !== file);
  if (component.length > 1 || (graph.get(file) ?? []).includes(file)) circles.push(component);
}
for (const file of files) if (!indices.has(file)) visit(file);

if (circles.length === 0) {
  console.log(`No import circles in ${roots.map((root) => relative(ROOT, root)).join(", ")} (${files.length} files).`);
} else {
  for (const circle of circles) console.error(`Import circle: ${circle.map((file) => relative(ROOT, file)).sort().join(" ↔ ")}`);
  console.error(`${circles.length} import circle(s): break each (move the shared part into a module both import).`);
  process.exitCode = 1;
}
