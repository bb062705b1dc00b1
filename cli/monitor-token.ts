import { CliError } from "./exit";
import { post, type HttpAnswer } from "./http-post";
import { DEFAULT_URL, type Target } from "./target";

/** The route that exchanges the dashboard token for a monitor token (app/api/events/token/route.ts). */
export const TOKEN_ROUTE = "/api/events/token";
/** How long the exchange may take. @default 10 seconds */
export const TOKEN_TIMEOUT_MS = 10_000;

export interface TokenExchange {
  target: Target;
  /** EVENTS_DASHBOARD_TOKEN, from --token or WEBFLUID_EVENTS_TOKEN; none for a development server. */
  dashboardToken: string | undefined;
  /** @default post (node:http) */
  post?: typeof post;
}

/** Codes that asking again cannot change: the command ends instead of retrying. */
const REFUSALS = new Set(["unauthorized", "forbidden"]);

/**
 * Asks the app for a monitor token (5 minutes): `POST /api/events/token`, with the dashboard
 * token as `Authorization: Bearer …` when there is one (never in the URL). A development server
 * answers without one. Every failure is a CliError naming what went wrong.
 */
export async function fetchMonitorToken({ target, dashboardToken, post: send = post }: TokenExchange): Promise<{ token: string; expiresAt: number }> {
  const url = `${target.origin}${TOKEN_ROUTE}`;
  let answer: HttpAnswer;
  try {
    answer = await send(url, { headers: dashboardToken ? { authorization: `Bearer ${dashboardToken}` } : {}, timeoutMs: TOKEN_TIMEOUT_MS });
  } catch (error) {
    throw new CliError("unreachable", `Cannot reach ${target.origin}: ${causeOf(error)}`, {
      hint: `Is the app running there? (npm run dev starts one on ${DEFAULT_URL}; --url or WEBFLUID_EVENTS_URL names another)`,
      cause: error,
    });
  }
  // A redirect would drop or move the token: say where the app is instead of following it.
  if (answer.status >= 300 && answer.status < 400) {
    throw new CliError("redirected", `${url} redirects to ${answer.headers.location ?? "(nowhere)"}`, {
      hint: "Give the app's final address with --url (https:// where it is served over TLS)",
    });
  }
  const body = parseJson(answer.body);
  if (answer.status === 200 && isTokenAnswer(body)) return body;
  const error = errorOf(body);
  if (!error && answer.status >= 500) {
    throw new CliError("unavailable", `${url} answered ${answer.status} ${answer.statusText}`.trim() + ": the app is not ready", { hint: "Try again in a moment" });
  }
  if (!error) {
    throw new CliError("bad_response", `${url} answered ${answer.status} ${answer.statusText}`.trim() + " without a monitor token", {
      hint: "Is this a Webfluid Events app, and recent enough to have /api/events/token?",
    });
  }
  const retryAfter = answer.headers["retry-after"];
  throw new CliError(error.code, error.message, { hint: hintFor(error.code, dashboardToken !== undefined, typeof retryAfter === "string" ? retryAfter : null) });
}

/** Waits before asking again when a renewal finds the app unreachable or not ready (about 8 s in all). */
const RENEWAL_RETRIES_MS = [250, 500, 1_000, 2_000, 4_000];
/** Codes that say "not now" rather than "no". */
const TRANSIENT = new Set(["unreachable", "unavailable"]);

/**
 * The token function an EventManager calls before its monitor op, after every reconnect and
 * before the token expires. A refusal (a wrong or missing dashboard token, a closed dashboard) is
 * passed to `onRefused` as well as thrown: retrying cannot help, so a long-running command ends.
 * The first token decides whether a command can start, so it fails at once; a renewal usually
 * follows a reconnect to a server that is still starting (its socket answers before its routes
 * do), so an unreachable or unready app is asked again a few times first.
 */
export function monitorTokenSource(
  exchange: TokenExchange,
  onRefused: (error: CliError) => void,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): () => Promise<string> {
  let issued = false;
  return async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        const { token } = await fetchMonitorToken(exchange);
        issued = true;
        return token;
      } catch (error) {
        if (error instanceof CliError && REFUSALS.has(error.code)) onRefused(error);
        const transient = error instanceof CliError && TRANSIENT.has(error.code);
        if (!issued || !transient || attempt >= RENEWAL_RETRIES_MS.length) throw error;
        await sleep(RENEWAL_RETRIES_MS[attempt]!);
      }
    }
  };
}

function hintFor(code: string, hadToken: boolean, retryAfter: string | null): string | undefined {
  if (code === "unauthorized") {
    return hadToken
      ? "That is not the server's EVENTS_DASHBOARD_TOKEN: check --token or WEBFLUID_EVENTS_TOKEN"
      : "This is a production server: give its EVENTS_DASHBOARD_TOKEN with WEBFLUID_EVENTS_TOKEN (or --token)";
  }
  if (code === "rate_limited" && retryAfter) return `Wrong tokens were sent from this address: wait ${retryAfter} s`;
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isTokenAnswer(body: unknown): body is { token: string; expiresAt: number } {
  return typeof body === "object" && body !== null && typeof (body as { token?: unknown }).token === "string";
}

function errorOf(body: unknown): { code: string; message: string } | undefined {
  const error = typeof body === "object" && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof error !== "object" || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === "string" && typeof message === "string" ? { code, message } : undefined;
}

/** What failed, in the words of the socket (ECONNREFUSED, ENOTFOUND…) or the timeout. */
export function causeOf(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
