/** Where pages load the injected client from. */
export const CLIENT_SCRIPT_PATH = "/events.js";

// The root layout (compiled by Next, a separate module copy) asks here whether to inject the client.
const SCRIPT_KEY = Symbol.for("webfluid.events.clientScript");
type GlobalWithScript = typeof globalThis & { [SCRIPT_KEY]?: string };

export function announceClientScript(path: string | undefined): void {
  (globalThis as GlobalWithScript)[SCRIPT_KEY] = path;
}

/** The injected client's URL, or undefined when EXT_EVENTS is off. */
export function clientScriptPath(): string | undefined {
  return (globalThis as GlobalWithScript)[SCRIPT_KEY];
}
