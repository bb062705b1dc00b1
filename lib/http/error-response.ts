/**
 * The app's HTTP error answer: `{"error":{"code","message"}}` with the given status. Every code is
 * listed in docs/errors.md ("Answers of the HTTP routes").
 *
 * @example
 * return errorResponse(400, "bad_request", '"value" is required: a non-empty string');
 */
export function errorResponse(status: number, code: string, message: string, headers?: HeadersInit): Response {
  return Response.json({ error: { code, message } }, { status, headers });
}
