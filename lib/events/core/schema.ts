import { InvalidPayloadError } from "../shared/errors";
import { formatPath } from "./json-value";

/**
 * The Standard Schema interface (standardschema.dev), so any validator that implements it
 * (zod 4, valibot, arktype…) can declare an event's payload. Only the parts we use are spelled out.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
    /** Standard JSON Schema (zod ≥ 4.2 implements it): lets `describe` and the dashboard show the shape. */
    readonly jsonSchema?: {
      readonly input: (options: { target: string }) => Record<string, unknown>;
    };
  };
}

type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardIssue> };

interface StandardIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** The payload type a schema accepts. */
export type InferInput<S> = S extends StandardSchemaV1<infer Input, unknown> ? Input : unknown;

/**
 * Checks `value` against `schema`; resolves to the (possibly transformed) value, or throws
 * `InvalidPayloadError` naming the event and the first failing field.
 */
export async function validatePayload<T>(schema: StandardSchemaV1<unknown, T>, value: unknown, name: string): Promise<T> {
  let result = schema["~standard"].validate(value);
  if (result instanceof Promise) result = await result;
  if (result.issues === undefined) return result.value;
  throw invalidPayload(name, result.issues);
}

function invalidPayload(name: string, issues: ReadonlyArray<StandardIssue>): InvalidPayloadError {
  const first = issues[0];
  const path = (first?.path ?? []).map((segment) => (typeof segment === "object" ? segment.key : segment));
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  const error = new InvalidPayloadError(
    `Invalid payload for "${name}": ${formatPath(path)}: ${first?.message ?? "rejected by its schema"}${more}`,
  );
  error.path = path;
  return error;
}

/** The schema as JSON Schema (draft 2020-12), or undefined when the validator cannot export one. */
export function toJsonSchema(schema: StandardSchemaV1 | undefined): Record<string, unknown> | undefined {
  const exporter = schema?.["~standard"].jsonSchema;
  if (!exporter) return undefined;
  try {
    return exporter.input({ target: "draft-2020-12" });
  } catch {
    return undefined; // some schemas (transforms, custom checks) have no JSON Schema form
  }
}

export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  const standard = (value as { "~standard"?: { validate?: unknown } } | null | undefined)?.["~standard"];
  return typeof standard?.validate === "function";
}
