import type { RefusalLog } from "@/lib/events/server/refusal-log";

/**
 * The answer to an address that must wait before it may present the dashboard token again (see
 * SignInThrottle): 429 with `Retry-After`, counted and logged as `sign_in_throttled`. Shared by
 * every route that takes the dashboard token, so they refuse alike and share one budget.
 */
export function tooManySignIns(refusals: RefusalLog, address: string, waitMs: number, prefix = ""): Response {
  const seconds = Math.ceil(waitMs / 1_000);
  refusals.note("sign_in_throttled", "Throttled dashboard sign-in attempts", { address, retryAfterSeconds: seconds });
  return Response.json(
    { error: { code: "rate_limited", message: `${prefix}Too many wrong tokens from your address: try again in ${seconds} s` } },
    { status: 429, headers: { "cache-control": "no-store", "retry-after": String(seconds) } },
  );
}
