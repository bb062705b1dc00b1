/**
 * The browser's view of a monitor token (`<expiry ms, base36>.<signature>`): only when it expires,
 * so that the dashboard fetches a fresh one instead of sending a stale one after a reconnect.
 */
export function monitorTokenExpiry(token: string): number | null {
  const dot = token.indexOf(".");
  if (dot <= 0) return null;
  const expiresAt = parseInt(token.slice(0, dot), 36);
  return Number.isSafeInteger(expiresAt) ? expiresAt : null;
}

/** True while the token has more than `marginMs` left. */
export function isTokenFresh(token: string, now = Date.now(), marginMs = 15_000): boolean {
  const expiresAt = monitorTokenExpiry(token);
  return expiresAt !== null && expiresAt - marginMs > now;
}
