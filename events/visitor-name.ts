// The /demo visitor name: set by the page as a cookie, read by the identify hook (no server imports: the page uses it too).

/** The cookie /demo's name field sets. */
export const VISITOR_NAME_COOKIE = "wf_demo_name";
/** The longest visitor name kept (longer ones are cut). */
export const MAX_VISITOR_NAME = 40;

/** The visitor name in a Cookie header: decoded, without control characters, trimmed, at most 40 characters. */
export function visitorName(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(";")) {
    const [key, ...value] = part.split("=");
    if (key?.trim() !== VISITOR_NAME_COOKIE) continue;
    let text: string;
    try {
      text = decodeURIComponent(value.join("="));
    } catch {
      return null;
    }
    const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "").trim().slice(0, MAX_VISITOR_NAME);
    return clean === "" ? null : clean;
  }
  return null;
}
