/**
 * Name patterns: a name whose last segment is `*` (`model:*`, `order:eu:*`) matches every name
 * that starts with what comes before the `*` and has at least one more character; `*` alone
 * matches every name. No other wildcard form exists: a `*` anywhere else is refused.
 */

/** A name's characters (as declared names allow), for what comes before the `*`. */
const NAME_CHARACTERS = /^[A-Za-z0-9_.:\-/]*$/;

/** A name pattern: a name whose last segment is `*` (`model:*`, `order:eu:*`), or `*` alone. */
export type NamePattern = `${string}*`;
/** The names of `E` that pattern `P` matches. */
export type MatchingNames<E, P extends string> = P extends `${infer Prefix}*` ? Extract<keyof E & string, `${Prefix}${string}`> : never;

export type PatternCheck = { ok: true; prefix: string } | { ok: false; problem: string };

/** Whether `text` is meant as a pattern (it has a `*`); `parsePattern` says whether it is a valid one. */
export function isPattern(text: string): boolean {
  return text.includes("*");
}

/** `model:*` → its prefix `model:`; `*` → ""; anything else with a `*` → why it is not a pattern. */
export function parsePattern(text: string): PatternCheck {
  const star = text.indexOf("*");
  const prefix = text.slice(0, -1);
  const valid = star === text.length - 1 && (prefix === "" || prefix.endsWith(":")) && NAME_CHARACTERS.test(prefix);
  if (valid) return { ok: true, prefix };
  return { ok: false, problem: `${JSON.stringify(text.slice(0, 60))} is not a name pattern: only a last segment of "*" is (such as "model:*", "order:eu:*" or "*")` };
}

/** Whether `name` matches the pattern of `prefix`: it starts with it and is longer. */
export function matchesPrefix(prefix: string, name: string): boolean {
  return name.length > prefix.length && name.startsWith(prefix);
}

/**
 * The prefixes of the patterns that match `name`: "" and every prefix ending at a `:` before its
 * last character. `order:eu:created` → ["", "order:", "order:eu:"]. A fan-out looks patterns up
 * by these, instead of testing every pattern against every name.
 */
export function matchingPrefixes(name: string): string[] {
  const prefixes = [""];
  for (let colon = name.indexOf(":"); colon !== -1 && colon < name.length - 1; colon = name.indexOf(":", colon + 1)) {
    prefixes.push(name.slice(0, colon + 1));
  }
  return prefixes;
}
