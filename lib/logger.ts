import pino from "pino";

// One logger for the app and the bus: JSON lines in production (for log shippers),
// readable lines in development.
const LOGGER_KEY = Symbol.for("webfluid.app.logger");
type GlobalWithLogger = typeof globalThis & { [LOGGER_KEY]?: pino.Logger };

export function logger(): pino.Logger {
  const scope = globalThis as GlobalWithLogger;
  return (scope[LOGGER_KEY] ??= create());
}

function create(): pino.Logger {
  const level = process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "warn" : "info");
  const pretty = process.env.NODE_ENV !== "production" && process.env.LOG_FORMAT !== "json";
  return pino({
    level,
    base: undefined,
    ...(pretty ? { transport: { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname" } } } : {}),
  });
}
