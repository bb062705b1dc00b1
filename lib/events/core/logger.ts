/** The logging calls the library makes: pino's signature, so a pino logger plugs straight in. */
export interface Logger {
  error(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

/** Used until the server installs its own: errors and warnings to stderr, nothing else. */
export const consoleLogger: Logger = {
  error: (fields, message) => console.error(`[events] ${message}`, fields),
  warn: (fields, message) => console.warn(`[events] ${message}`, fields),
  info: () => {},
  debug: () => {},
};

export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };
