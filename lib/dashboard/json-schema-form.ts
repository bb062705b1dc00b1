/**
 * A form for a payload, generated from its JSON Schema. Only flat objects whose properties are
 * strings, numbers, integers or booleans get one; anything else is edited as JSON. The form is a
 * view over the JSON value: reading and writing go through `readField` and `writeField`.
 */
export type FieldType = "string" | "number" | "integer" | "boolean";

export interface FormField {
  key: string;
  type: FieldType;
  required: boolean;
  description: string | null;
  /** Allowed values of a string field declared with `enum`. */
  options: string[] | null;
  min: number | null;
  max: number | null;
}

import { exampleFor } from "./schema-example";

type Schema = Record<string, unknown>;

const FIELD_TYPES = new Set<FieldType>(["string", "number", "integer", "boolean"]);

/** The fields of a flat object schema, or null when the schema needs the JSON editor. */
export function formFieldsFor(schema: Schema | null | undefined): FormField[] | null {
  if (!schema || schema.type !== "object" || !isObject(schema.properties)) return null;
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((key) => typeof key === "string") : []);
  const fields: FormField[] = [];
  for (const [key, property] of Object.entries(schema.properties)) {
    if (!isObject(property)) return null;
    const type = property.type;
    const options = Array.isArray(property.enum) && property.enum.every((value) => typeof value === "string") ? (property.enum as string[]) : null;
    if (typeof type !== "string" || !FIELD_TYPES.has(type as FieldType)) return null;
    fields.push({
      key,
      type: type as FieldType,
      required: required.has(key),
      description: typeof property.description === "string" ? property.description : null,
      options,
      min: lowerBound(property, type === "integer"),
      max: typeof property.maximum === "number" && property.maximum < Number.MAX_SAFE_INTEGER ? property.maximum : null,
    });
  }
  return fields;
}

/**
 * A starting payload for a schema that the schema accepts (every required field, within its
 * bounds: see schema-example.ts); `{}` for an object schema it cannot satisfy, nothing without one.
 */
export function examplePayload(schema: Schema | null | undefined): unknown {
  if (!schema) return undefined;
  const example = exampleFor(schema);
  return example === undefined && schema.type === "object" ? {} : example;
}

/** What a form control shows for `field` of `value`. */
export function readField(value: unknown, field: FormField): string | boolean {
  const current = isObject(value) ? value[field.key] : undefined;
  if (field.type === "boolean") return current === true;
  if (current === undefined || current === null) return "";
  return typeof current === "string" ? current : JSON.stringify(current);
}

/**
 * The payload after a control changed. An emptied optional field is removed; a number that does
 * not parse is kept as text, so that the server's schema names the problem.
 */
export function writeField(value: unknown, field: FormField, input: string | boolean): Record<string, unknown> {
  const next: Record<string, unknown> = isObject(value) ? { ...value } : {};
  if (field.type === "boolean") {
    next[field.key] = input === true;
    return next;
  }
  const text = String(input);
  if (text === "" && !field.required) {
    delete next[field.key];
    return next;
  }
  if (field.type === "string") {
    next[field.key] = text;
    return next;
  }
  const number = Number(text);
  next[field.key] = text.trim() !== "" && Number.isFinite(number) ? number : text;
  return next;
}

function lowerBound(property: Schema, integer: boolean): number | null {
  if (typeof property.minimum === "number" && property.minimum > Number.MIN_SAFE_INTEGER) return property.minimum;
  if (typeof property.exclusiveMinimum === "number") return integer ? Math.floor(property.exclusiveMinimum) + 1 : property.exclusiveMinimum;
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
