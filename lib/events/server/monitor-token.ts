import { fingerprint, signToken, verifyToken, type TokenCheck, type TokenSpec } from "./signed-token";

/** How long a monitor token is valid unless the issuer says otherwise. @default 5 minutes */
export const MONITOR_TOKEN_TTL_MS = 5 * 60_000;

const PURPOSE = "wf-events.monitor.v2";

export interface MonitorTokenOptions {
  /** @default MONITOR_TOKEN_TTL_MS */
  ttlMs?: number;
  now?: number;
  /**
   * The dashboard session the token was issued to; the server ends the monitor session when that
   * session is revoked. Empty for tokens issued without one (development, scripts holding SECRET_KEY).
   */
  session?: string;
  /** EVENTS_DASHBOARD_TOKEN, if set: changing it invalidates every token issued before. */
  dashboardToken?: string;
}

export type MonitorTokenCheck = { ok: true; expiresAt: number; session: string } | Extract<TokenCheck, { ok: false }>;

/**
 * Issues a monitor token (see signed-token.ts): short-lived, bound to SECRET_KEY and the
 * dashboard token, carrying the session it was issued to.
 */
export function createMonitorToken(secret: string, options: MonitorTokenOptions = {}): string {
  const now = options.now ?? Date.now();
  return signToken(spec(secret, options.dashboardToken), now + (options.ttlMs ?? MONITOR_TOKEN_TTL_MS), options.session ?? "");
}

/** Checks a token's signature in constant time, then its expiry. */
export function verifyMonitorToken(token: string, secret: string, options: Pick<MonitorTokenOptions, "now" | "dashboardToken"> = {}): MonitorTokenCheck {
  const check = verifyToken(spec(secret, options.dashboardToken), token, options.now ?? Date.now());
  return check.ok ? { ok: true, expiresAt: check.expiresAt, session: check.subject } : check;
}

function spec(secret: string, dashboardToken: string | undefined): TokenSpec {
  return { secret, purpose: PURPOSE, binding: dashboardToken ? fingerprint(dashboardToken) : "" };
}
