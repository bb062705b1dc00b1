/** Small formatters for the dashboard: one place, so every panel says things the same way. */

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `14:03:07.250`, local time. */
export function formatClock(ms: number): string {
  const date = new Date(ms);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** A handler's duration: `0.12 ms`, `12 ms`, `1.5 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1_000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** How long a server has run: `42 s`, `5 min 3 s`, `3 h 12 min`, `2 d 4 h`. */
export function formatUptime(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1_000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** `just now`, `12 s ago`, `3 min ago`, `2 h ago`, or `never`. */
export function formatAgo(at: number | null, now: number): string {
  if (at === null) return "never";
  const seconds = Math.floor((now - at) / 1_000);
  if (seconds < 2) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3_600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3_600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** Events per second: `—` before it is known, `0`, `0.4/s`, `12/s`, `1.2k/s`. */
export function formatRate(perSecond: number | null): string {
  if (perSecond === null) return "—";
  if (perSecond === 0) return "0";
  if (perSecond < 10) return `${perSecond.toFixed(1)}/s`;
  if (perSecond < 1_000) return `${Math.round(perSecond)}/s`;
  return `${(perSecond / 1_000).toFixed(1)}k/s`;
}

/** Seconds left before a retry, rounded up: `reconnecting in 3 s`. */
export function secondsLeft(retryInMs: number, elapsedMs: number): number {
  return Math.max(0, Math.ceil((retryInMs - elapsedMs) / 1_000));
}

/** A size as people read it: bytes, KB or MB (binary units, as file managers show them). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
