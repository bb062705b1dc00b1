// Module hooks for development, installed by dev-reload.ts with node:module's register() (they
// run on Node's loader thread, behind tsx's). A module imported with `?wf-reload=N` passes N on
// to what it imports from the same folder, so that re-importing the folder's entry evaluates
// every module of the folder afresh, while the library and packages stay as they are.
import type { InitializeHook, ResolveHook } from "node:module";

export const RELOAD_PARAM = "wf-reload";

/** The folder's `file:` URL, ending with a slash. */
let folder = "";

export const initialize: InitializeHook<{ folder: string }> = (data) => {
  folder = data.folder;
};

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const resolved = await nextResolve(specifier, context);
  const parent = context.parentURL;
  if (!folder || !parent?.startsWith(folder) || !resolved.url.startsWith(folder) || resolved.url.includes("?")) return resolved;
  const version = new URL(parent).searchParams.get(RELOAD_PARAM);
  return version ? { ...resolved, url: `${resolved.url}?${RELOAD_PARAM}=${version}` } : resolved;
};
