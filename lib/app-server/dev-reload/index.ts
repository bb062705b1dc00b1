import { watch, type FSWatcher } from "node:fs";
import { register } from "node:module";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { EventBus, Logger } from "@/lib/events";
import { appModuleLocator } from "./module-locator";
import { RELOAD_PARAM } from "./version-hooks";

export interface DevReloadOptions {
  bus: EventBus;
  /** The project's folder (server.ts's). */
  root: string;
  logger: Logger;
  /** The folder of declarations server.ts imports, relative to root. @default "events" */
  folder?: string;
  /** Its entry, which imports the rest. @default "index.ts" */
  entry?: string;
  /** How long a burst of file events is gathered before one reload. @default 100 */
  debounceMs?: number;
}

export interface DevReload {
  /** Stops watching. */
  close(): void;
}

/** Files whose change reloads the folder: sources, not tests, editors' temporary files or dotfiles. */
const SOURCE = /^[^.~#][^~#]*\.(ts|tsx|mts|js|mjs|json)$/;
const TEST = /\.test(-d)?\.tsx?$/;

/**
 * Development only (server.ts calls it before importing the declarations): handlers follow their
 * files. The bus tracks which module registers what (route files, which Next re-runs itself when
 * they change, included), and the declarations folder is watched: after a change, its entry is
 * imported again — every module of the folder evaluated afresh — and what those modules no longer
 * register is removed. A reload that throws (a syntax error, a conflict) is logged and changes
 * nothing more; the next save tries again.
 */
export function startDevReload(options: DevReloadOptions): DevReload {
  const { bus, root, logger, folder = "events", entry = "index.ts", debounceMs = 100 } = options;
  const reloads = bus.trackModules(appModuleLocator(root));
  const folderPath = join(root, folder);
  register(new URL("./version-hooks.ts", import.meta.url), { data: { folder: pathToFileURL(folderPath).href + "/" } });
  const entryUrl = pathToFileURL(join(folderPath, entry)).href;

  let version = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const changed = new Set<string>();

  const reload = async (files: string[]): Promise<void> => {
    const started = performance.now();
    try {
      const outcome = await reloads.reevaluate(
        (module) => module.startsWith(`${folder}/`),
        () => import(`${entryUrl}?${RELOAD_PARAM}=${++version}`),
      );
      logger.info(
        { changed: files, modules: outcome.modules, removed: outcome.removed.map(({ name, label }) => `${name}: ${label}`), ms: Math.round(performance.now() - started) },
        `Reloaded ${folder}/ after a change to ${files.join(", ")}`,
      );
    } catch (error) {
      logger.error({ err: error, changed: files }, `Reloading ${folder}/ failed: handlers not registered again keep their previous code until the next save`);
    }
  };

  const flush = (): void => {
    timer = undefined;
    if (running) return; // the running reload flushes again when it ends
    const files = [...changed].sort();
    changed.clear();
    running = reload(files).finally(() => {
      running = undefined;
      if (changed.size > 0) flush();
    });
  };

  const watcher: FSWatcher = watch(folderPath, { recursive: true }, (_type, filename) => {
    if (!filename || !SOURCE.test(basename(filename)) || TEST.test(filename)) return;
    changed.add(filename);
    clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  });
  // Watching never keeps the process alive (shutdown exits on its own).
  watcher.unref();
  watcher.on("error", (error) => logger.warn({ err: error }, `Watching ${folder}/ failed: edits there need a restart`));

  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
