import { readFileSync } from "node:fs";
import { HTTP_SOCKETS_HEADROOM } from "./socket-guard";

/** Descriptors a process needs besides its sockets: files, pipes, Next's workers, Redis. */
const OTHER_DESCRIPTORS = 256;

/**
 * A warning when EVENTS_MAX_CONNECTIONS cannot be reached because the process may not open that
 * many files: the limit would then be the kernel's, reached without a 503 or a log line.
 * Undefined when the limit is high enough, or unknown (not Linux).
 */
export function fileLimitWarning(maxConnections: number, limitsFile = "/proc/self/limits"): string | undefined {
  let soft: number;
  try {
    const line = readFileSync(limitsFile, "utf8").split("\n").find((text) => text.startsWith("Max open files"));
    soft = Number(line?.split(/\s{2,}/)[1]);
  } catch {
    return undefined;
  }
  if (!Number.isFinite(soft)) return undefined;
  const needed = maxConnections + HTTP_SOCKETS_HEADROOM + OTHER_DESCRIPTORS;
  if (needed <= soft) return undefined;
  return (
    `EVENTS_MAX_CONNECTIONS = ${maxConnections} needs about ${needed} file descriptors, but this process may open ${soft}: ` +
    `raise the limit (ulimit -n, LimitNOFILE=) or lower EVENTS_MAX_CONNECTIONS to ${Math.max(1, soft - HTTP_SOCKETS_HEADROOM - OTHER_DESCRIPTORS)}`
  );
}
