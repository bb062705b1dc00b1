import { findSourceMap } from "node:module";
import { projectPath } from "./stack-frames";

/**
 * Where a handler was registered, as `path:line` relative to the project (`events/models.ts:14`):
 * the frame that called `skip` (the bus's `event` or `query`). Built code is mapped back to its
 * source when Node has the source map (`--enable-source-maps`, as `npm start` runs); otherwise
 * the built file is named. Registration time only: a few microseconds, never paid on a trigger.
 */
export function handlerSource(skip: (...args: never[]) => unknown, root = process.cwd()): string | null {
  const holder: { stack?: unknown } = {};
  const { prepareStackTrace, stackTraceLimit } = Error;
  let site: NodeJS.CallSite | undefined;
  try {
    // Structured call sites, and the process's own stack formatting put back at once.
    Error.prepareStackTrace = (_error, callSites) => callSites;
    Error.stackTraceLimit = 1;
    Error.captureStackTrace(holder, skip);
    site = (holder.stack as NodeJS.CallSite[] | undefined)?.[0];
  } finally {
    Error.prepareStackTrace = prepareStackTrace;
    Error.stackTraceLimit = stackTraceLimit;
  }
  const file = site?.getFileName() ?? site?.getScriptNameOrSourceURL() ?? undefined;
  const line = site?.getLineNumber() ?? undefined;
  if (!file || line === undefined) return null;
  const mapped = original(file, line, site?.getColumnNumber() ?? 1);
  return mapped ? `${projectPath(mapped.file, root)}:${mapped.line}` : `${projectPath(file, root)}:${line}`;
}

/** The original position of a built file's line, when Node holds its source map. */
function original(file: string, line: number, column: number): { file: string; line: number } | undefined {
  try {
    const entry = findSourceMap(file)?.findEntry(line - 1, column - 1);
    if (!entry || !("originalSource" in entry) || !entry.originalSource) return undefined;
    return { file: entry.originalSource, line: entry.originalLine + 1 };
  } catch {
    return undefined;
  }
}
