import { isAbsolute, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** One frame of a call's stack, as V8 reports it (generated code: no source maps applied). */
export interface StackFrame {
  /** A path, a `file:` URL (ES modules, with any query), `node:internal/…`, or undefined for native code. */
  readonly file: string | undefined;
  /** `Type.method`, a function's name, or undefined for top-level code and anonymous functions. */
  readonly fn: string | undefined;
  readonly line: number | undefined;
}

/**
 * Names the module whose evaluation is making a registration, from the registering call's
 * frames (innermost first, the bus's own frames left out); undefined when no module is being
 * evaluated (a registration made later, at run time). A module's name must not change between
 * its evaluations: a project-relative path such as `events/models.ts`.
 */
export type ModuleLocator = (frames: readonly StackFrame[]) => string | undefined;

/** Frames kept: a registration a few helper calls below a module's top level is still found. */
const FRAME_LIMIT = 30;

/**
 * The frames of the current call above `skip` (which is left out with everything it called).
 * Registration time only: it costs a few microseconds, never paid on a trigger.
 */
export function callerFrames(skip: (...args: never[]) => unknown): StackFrame[] {
  const holder: { stack?: unknown } = {};
  const { prepareStackTrace, stackTraceLimit } = Error;
  try {
    // The structured call sites, not the formatted text (whoever formats stacks in this process
    // is left alone: the hook is put back at once).
    Error.prepareStackTrace = (_error, callSites) => callSites;
    Error.stackTraceLimit = FRAME_LIMIT;
    Error.captureStackTrace(holder, skip);
    const callSites = holder.stack as NodeJS.CallSite[];
    return callSites.map((site) => ({
      file: site.getFileName() ?? site.getScriptNameOrSourceURL() ?? undefined,
      fn: site.getFunctionName() ?? undefined,
      line: site.getLineNumber() ?? undefined,
    }));
  } finally {
    Error.prepareStackTrace = prepareStackTrace;
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/**
 * Node's own loaders (ES modules, as tsx runs them, and CommonJS): a frame is a module's top
 * level when the next one is the loader running it. Modules are named relative to `root`.
 */
export function nodeModuleLocator(root: string): ModuleLocator {
  return (frames) => {
    for (let i = 0; i + 1 < frames.length; i++) {
      if (!isNodeModuleRunner(frames[i + 1]!)) continue;
      const file = frames[i]!.file;
      return file ? projectPath(file, root) : undefined;
    }
    return undefined;
  };
}

/** Node's loader running a module's top level (the frame right below it is that top level). */
export function isNodeModuleRunner(frame: StackFrame): boolean {
  return frame.file === "node:internal/modules/esm/module_job" || (frame.file === "node:internal/modules/cjs/loader" && frame.fn === "Module._compile");
}

/** `file:///root/events/models.ts?v=3` or `/root/events/models.ts` → `events/models.ts` (outside `root`: the path). */
export function projectPath(file: string, root: string): string {
  const path = file.startsWith("file:") ? fileURLToPath(file.replace(/[?#].*$/, "")) : file;
  if (!isAbsolute(path)) return path;
  const inside = relative(root, path);
  if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) return path;
  return inside.split(sep).join("/");
}
