import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The app's folder (the one holding package.json): where server.ts sits in development, the
 * parent of `dist/` when the compiled server runs. Next, the client bundle and the ini file are
 * found from here, whatever the working directory.
 */
export function appRoot(from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json above ${from}: cannot tell where the app is`);
  }
}
