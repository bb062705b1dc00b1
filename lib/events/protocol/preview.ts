/**
 * How a payload too large for a trace travels to monitors: the start of its JSON and a note. Both
 * ends share this, so the dashboard can tell a cut preview from a payload it may fire again.
 */
export const TRACE_PREVIEW_BYTES = 4096;

const CUT_NOTE = /… \((\d+) characters, cut\)$/;

export function cutPreview(json: string): string {
  return `${json.slice(0, TRACE_PREVIEW_BYTES)}… (${json.length} characters, cut)`;
}

/** Whether a trace's `data` is a cut preview rather than the payload itself. */
export function isCutPreview(data: unknown): boolean {
  if (typeof data !== "string" || data.length <= TRACE_PREVIEW_BYTES) return false;
  const note = CUT_NOTE.exec(data);
  return note !== null && Number(note[1]) > TRACE_PREVIEW_BYTES;
}
