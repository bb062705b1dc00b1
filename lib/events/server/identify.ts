import type { IncomingMessage } from "node:http";
import type { Logger } from "../core/logger";
import type { PresenceMember } from "../core/presence";
import type { IdentifyHook } from "../core/types";

/** The most an identify hook may take before the connection counts as anonymous. */
export const IDENTIFY_TIMEOUT_MS = 5_000;
/** The largest member info, as JSON: it is sent to every watcher of every event the connection joins. */
export const MAX_MEMBER_INFO_BYTES = 1_024;

/**
 * Who a new connection is, for presence: the app's `identify` hook asked once, with the upgrade
 * request. The member carries exactly what the hook returned (through JSON), or nothing: an
 * anonymous member when there is no hook, it returns null, throws, takes too long, or returns
 * something that is not a small JSON object.
 */
export async function identifyMember(connection: string, request: IncomingMessage, hook: IdentifyHook | undefined, logger: Logger): Promise<PresenceMember> {
  if (!hook) return { connection };
  let answer: unknown;
  let timer: NodeJS.Timeout | undefined;
  try {
    answer = await Promise.race([
      hook(request),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`it took more than ${IDENTIFY_TIMEOUT_MS} ms`)), IDENTIFY_TIMEOUT_MS).unref())),
    ]);
  } catch (error) {
    logger.warn({ connection, err: error }, "The identify hook failed: the connection is anonymous");
    return { connection };
  } finally {
    clearTimeout(timer);
  }
  if (answer === null || answer === undefined) return { connection };
  let json: string | undefined;
  try {
    json = typeof answer === "object" && !Array.isArray(answer) ? JSON.stringify(answer) : undefined;
  } catch {
    json = undefined;
  }
  if (json === undefined || json.length > MAX_MEMBER_INFO_BYTES) {
    logger.warn({ connection }, `The identify hook must return a JSON object of at most ${MAX_MEMBER_INFO_BYTES} bytes, or null: the connection is anonymous`);
    return { connection };
  }
  return { connection, info: JSON.parse(json) as Record<string, unknown> };
}
