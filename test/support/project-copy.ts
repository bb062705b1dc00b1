import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
/** Git-ignored (and ignored by lint, tsc and vitest). */
const COPIES = join(ROOT, ".dev-copies");
/** What the server needs: no tests, docs or benchmarks. */
const PARTS = ["app", "lib", "events", "server.ts", "next.config.mjs", "postcss.config.mjs", "tsconfig.json", "package.json", "webfluid.ini"];

export interface ProjectCopy {
  /** The copy's folder: give it to `startAppServer({ cwd })`. */
  readonly dir: string;
  read(path: string): string;
  /** Writes a file of the copy (a new one, or over one). */
  write(path: string, text: string): void;
  /** Rewrites a file of the copy; throws when `change` leaves it as it was (a test that edits nothing proves nothing). */
  edit(path: string, change: (text: string) => string): void;
  /** Deletes the copy. */
  remove(): void;
}

/**
 * A copy of the app's sources, for tests that edit files under a running development server
 * without touching the repository. It lives inside the repository, without a lockfile of its own:
 * Turbopack compiles only files under its root (the nearest lockfile's folder), where
 * node_modules must be too, and Node finds the packages by walking up. Copies left behind by a
 * test process that died are removed here.
 */
export function copyProject(): ProjectCopy {
  removeOrphans();
  const dir = join(COPIES, `${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "--", ...PARTS], { cwd: ROOT, encoding: "utf8" })
    .split("\n")
    .filter((file) => file !== "" && !/\.test(-d)?\.tsx?$/.test(file) && existsSync(join(ROOT, file)));
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(dir, file));
  }
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  return {
    dir,
    read: (path) => readFileSync(join(dir, path), "utf8"),
    write,
    edit(path, change) {
      const before = readFileSync(join(dir, path), "utf8");
      const after = change(before);
      if (after === before) throw new Error(`The edit of ${path} changed nothing`);
      write(path, after);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Copies are named `<pid>-<random>`: those of processes no longer running are removed. */
function removeOrphans(): void {
  if (!existsSync(COPIES)) return;
  for (const name of readdirSync(COPIES)) {
    const pid = Number(name.split("-")[0]);
    if (Number.isInteger(pid) && pid > 0 && !isRunning(pid)) rmSync(join(COPIES, name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
