import { InvalidPayloadError, TooLargeError } from "../shared/errors";

/**
 * Serialises a payload that must travel as JSON, refusing what JSON would silently lose
 * (functions, `undefined` in arrays, `NaN`, `Map`…) or cannot carry at all (cycles, `BigInt`).
 * Returns the JSON text, so callers serialise once and reuse it for every delivery.
 */
export function toJsonText(value: unknown, what: string): string {
  // The common case (a plain, shallow payload) is checked without allocating; only a payload
  // that fails is walked again to say exactly where.
  const problem = isPlainJson(value, 0) ? undefined : findJsonProblem(value, [], new Set());
  if (problem) {
    const error = new InvalidPayloadError(
      `${what}: ${formatPath(problem.path)} ${problem.reason}, which JSON cannot carry`,
    );
    error.path = problem.path;
    throw error;
  }
  // `undefined` as a whole payload (an event with no data) travels as null.
  return value === undefined ? "null" : JSON.stringify(value);
}

const MAX_FAST_DEPTH = 64;
/** Deeper payloads are refused rather than risk a stack overflow in JSON.stringify or a client's parser. */
export const MAX_DEPTH = 256;

function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object":
      break;
    default:
      return depth === 0 && value === undefined;
  }
  if (value === null) return true;
  if (depth > MAX_FAST_DEPTH) return false; // deep or cyclic: let the careful walk decide
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false;
    return true;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key in value) {
    if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

interface JsonProblem {
  path: PropertyKey[];
  reason: string;
}

function findJsonProblem(value: unknown, path: PropertyKey[], ancestors: Set<object>): JsonProblem | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : { path, reason: `is ${value}` };
    case "undefined":
      // Top-level undefined means "no data"; inside an object JSON drops the key, which loses nothing asked for.
      return path.length === 0 || typeof path[path.length - 1] === "string" ? undefined : { path, reason: "is undefined" };
    case "bigint":
      return { path, reason: "is a BigInt" };
    case "function":
      return { path, reason: "is a function" };
    case "symbol":
      return { path, reason: "is a symbol" };
  }
  if (value === null) return undefined;
  if (path.length > MAX_DEPTH) return { path: path.slice(0, MAX_DEPTH), reason: `nests deeper than ${MAX_DEPTH} levels` };
  const object = value as object;
  if (typeof (object as { toJSON?: unknown }).toJSON === "function") return undefined; // Date and friends
  if (ancestors.has(object)) return { path, reason: "refers back to itself (a cycle)" };
  if (Array.isArray(object)) {
    ancestors.add(object);
    for (let i = 0; i < object.length; i++) {
      const problem = findJsonProblem(object[i], [...path, i], ancestors);
      if (problem) return problem;
    }
    ancestors.delete(object);
    return undefined;
  }
  const prototype = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) {
    const kind = (object.constructor as { name?: string } | undefined)?.name || "object";
    return { path, reason: `is a ${kind}` };
  }
  ancestors.add(object);
  for (const key of Object.keys(object)) {
    const problem = findJsonProblem((object as Record<string, unknown>)[key], [...path, key], ancestors);
    if (problem) return problem;
  }
  ancestors.delete(object);
  return undefined;
}

/** `["items", 2, "id"]` → `data.items[2].id`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = "data";
  for (const key of path) {
    text += typeof key === "number" ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(String(key)) ? `.${String(key)}` : `[${JSON.stringify(String(key))}]`;
  }
  return text;
}

/** Returns `json` when it fits in `maxBytes` of UTF-8, else throws `TooLargeError`. */
export function checkSize(json: string, maxBytes: number, what: string): string {
  // A character takes 1–3 bytes (a surrogate pair 4 for 2 characters): only the unclear middle is measured.
  if (json.length * 3 <= maxBytes) return json;
  const bytes = json.length > maxBytes ? json.length : Buffer.byteLength(json);
  if (bytes > maxBytes) {
    throw new TooLargeError(`${what} is ${json.length > maxBytes ? "over " : ""}${bytes} bytes as JSON; at most ${maxBytes} are allowed (EVENTS_MAX_PAYLOAD)`);
  }
  return json;
}
