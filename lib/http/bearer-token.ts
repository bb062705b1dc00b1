/**
 * The token of an `Authorization: Bearer <token>` header, or undefined when there is no such
 * header (none, another scheme, or nothing after the scheme). The scheme is case-insensitive
 * (RFC 7235); the token is taken as sent, so that comparing it stays the caller's one
 * constant-time step.
 *
 * @example
 * bearerTokenOf("Bearer abc"); // "abc"
 * bearerTokenOf("Basic abc");  // undefined
 */
export function bearerTokenOf(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^bearer +(\S.*)$/i.exec(header);
  return match ? match[1] : undefined;
}
