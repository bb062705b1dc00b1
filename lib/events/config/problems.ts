import { ConfigError } from "../shared/errors";

/**
 * One `ConfigError` for everything wrong with the configuration, so that a user fixes it in one
 * round instead of one restart per key. A single problem is the whole message, as written; several
 * are counted, then listed one per line:
 *
 * ```text
 * 2 problems:
 *   - EVENTS_EVENT_QUEUE_SIZE = "five" (from /app/webfluid.ini:7) is not allowed: expected an integer from 1 to 10000
 *   - Unknown environment variable EVENTS_OVERFLW (did you mean "EVENTS_OVERFLOW"?)
 * ```
 */
export function configErrorOf(problems: readonly string[]): ConfigError {
  if (problems.length === 0) throw new RangeError("configErrorOf needs at least one problem");
  if (problems.length === 1) return new ConfigError(problems[0]!);
  return new ConfigError(`${problems.length} problems:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
}
