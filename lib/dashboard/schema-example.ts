/**
 * A value that a JSON Schema accepts, generated from it: what the Fire panel starts with, so that
 * firing right away passes the name's own schema. Covers what zod 4 and hand-written schemas
 * declare (objects with required properties, strings with lengths, enums and common formats,
 * bounded numbers and integers, arrays with a least length, unions, const, nullable types);
 * `undefined` for a schema it cannot satisfy (a `pattern`, say), where the editor starts empty.
 */
type Schema = Record<string, unknown>;

const STRING_FORMATS: Record<string, string> = {
  email: "someone@example.com",
  uri: "https://example.com/",
  url: "https://example.com/",
  uuid: "00000000-0000-4000-8000-000000000000",
  "date-time": "2026-01-01T00:00:00.000Z",
  date: "2026-01-01",
  time: "00:00:00",
  ipv4: "192.0.2.1",
  ipv6: "2001:db8::1",
};

/** How deep nested objects and arrays are followed (a recursive schema stops here). */
const MAX_DEPTH = 8;

export function exampleFor(schema: unknown, depth = 0): unknown {
  if (!isObject(schema) || depth > MAX_DEPTH) return undefined;
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  for (const key of ["anyOf", "oneOf"] as const) {
    const options = schema[key];
    if (!Array.isArray(options)) continue;
    for (const option of options) {
      const value = exampleFor(option, depth + 1);
      if (value !== undefined) return value;
    }
    return undefined;
  }
  if (Array.isArray(schema.allOf)) return exampleFor(Object.assign({}, ...schema.allOf.filter(isObject)), depth + 1);
  const type = Array.isArray(schema.type) ? (schema.type.find((t) => t !== "null") ?? "null") : schema.type;
  switch (type) {
    case "object":
      return objectExample(schema, depth);
    case "array":
      return arrayExample(schema, depth);
    case "string":
      return stringExample(schema);
    case "integer":
      return numberExample(schema, true);
    case "number":
      return numberExample(schema, false);
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      // No type: anything goes; an object if it lists properties.
      return isObject(schema.properties) ? objectExample(schema, depth) : undefined;
  }
}

function objectExample(schema: Schema, depth: number): Record<string, unknown> | undefined {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.filter((key): key is string => typeof key === "string") : [];
  const example: Record<string, unknown> = {};
  for (const key of required) {
    const value = exampleFor(properties[key] ?? {}, depth + 1);
    if (value === undefined) return undefined;
    example[key] = value;
  }
  return example;
}

function arrayExample(schema: Schema, depth: number): unknown[] | undefined {
  const least = typeof schema.minItems === "number" ? schema.minItems : 0;
  if (least === 0) return [];
  if (Array.isArray(schema.prefixItems)) {
    const items = schema.prefixItems.map((item) => exampleFor(item, depth + 1));
    return items.every((item) => item !== undefined) && items.length >= least ? items : undefined;
  }
  const item = exampleFor(schema.items ?? {}, depth + 1);
  if (item === undefined) return undefined;
  // Unique items cannot be made of one value repeated.
  if (schema.uniqueItems === true && least > 1) return undefined;
  return Array.from({ length: least }, () => item);
}

function stringExample(schema: Schema): string | undefined {
  if (typeof schema.pattern === "string") return undefined;
  const min = typeof schema.minLength === "number" ? schema.minLength : 0;
  const max = typeof schema.maxLength === "number" ? schema.maxLength : Infinity;
  const format = typeof schema.format === "string" ? STRING_FORMATS[schema.format] : undefined;
  if (typeof schema.format === "string" && format === undefined) return undefined;
  let text = format ?? "example";
  if (format !== undefined) return text.length >= min && text.length <= max ? text : undefined;
  while (text.length < min) text += "example";
  if (text.length > max) text = text.slice(0, Math.max(min, max));
  return text.length >= min && text.length <= max ? text : undefined;
}

function numberExample(schema: Schema, integer: boolean): number | undefined {
  let low = -Infinity;
  let lowOpen = false;
  if (typeof schema.minimum === "number") low = schema.minimum;
  if (typeof schema.exclusiveMinimum === "number" && schema.exclusiveMinimum >= low) {
    low = schema.exclusiveMinimum;
    lowOpen = true;
  }
  let high = Infinity;
  let highOpen = false;
  if (typeof schema.maximum === "number") high = schema.maximum;
  if (typeof schema.exclusiveMaximum === "number" && schema.exclusiveMaximum <= high) {
    high = schema.exclusiveMaximum;
    highOpen = true;
  }
  const step = typeof schema.multipleOf === "number" && schema.multipleOf > 0 ? schema.multipleOf : integer ? 1 : undefined;
  const fits = (n: number) => (lowOpen ? n > low : n >= low) && (highOpen ? n < high : n <= high) && (!integer || Number.isInteger(n));
  // 0 when allowed; else the least allowed value: the bound, or one step above an open one.
  let candidate = fits(0) && (step === undefined || Number.isInteger(0 / step)) ? 0 : Number.isFinite(low) ? low : Number.isFinite(high) ? high : 0;
  if (step !== undefined) {
    candidate = Math.ceil(candidate / step) * step;
    if (!fits(candidate)) candidate += step;
    if (!fits(candidate) && Number.isFinite(high) && !Number.isFinite(low)) candidate = Math.floor(high / step) * step - (highOpen && Math.floor(high / step) * step === high ? step : 0);
  } else if (!fits(candidate)) {
    candidate = lowOpen ? low + (Number.isFinite(high) ? Math.min(1, (high - low) / 2) : 1) : highOpen ? high - 1 : candidate;
  }
  return fits(candidate) ? candidate : undefined;
}

function isObject(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
