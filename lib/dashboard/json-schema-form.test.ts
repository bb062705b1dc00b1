import { describe, expect, it } from "vitest";
import { examplePayload, formFieldsFor, readField, writeField } from "./json-schema-form";

// What zod 4 exports for events/schemas.ts's ModelCreated.
const modelCreated = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  properties: {
    id: { type: "integer", exclusiveMinimum: 0, maximum: 9007199254740991 },
    value: { type: "string", minLength: 1, maxLength: 1000 },
    urgent: { type: "boolean", description: "Page someone" },
    region: { type: "string", enum: ["eu", "us"] },
    ratio: { type: "number", minimum: 0, maximum: 1 },
  },
  required: ["id", "value"],
};

describe("formFieldsFor", () => {
  it("makes one field per property of a flat object schema", () => {
    const fields = formFieldsFor(modelCreated)!;
    expect(fields.map((field) => [field.key, field.type, field.required])).toEqual([
      ["id", "integer", true],
      ["value", "string", true],
      ["urgent", "boolean", false],
      ["region", "string", false],
      ["ratio", "number", false],
    ]);
    expect(fields[0]).toMatchObject({ min: 1, max: null });
    expect(fields[2]!.description).toBe("Page someone");
    expect(fields[3]!.options).toEqual(["eu", "us"]);
    expect(fields[4]).toMatchObject({ min: 0, max: 1 });
  });

  it("falls back to JSON for schemas it cannot show as a form", () => {
    expect(formFieldsFor(null)).toBeNull();
    expect(formFieldsFor({ type: "string" })).toBeNull();
    expect(formFieldsFor({ type: "object", properties: { tags: { type: "array" } } })).toBeNull();
    expect(formFieldsFor({ type: "object", properties: { nested: { type: "object", properties: {} } } })).toBeNull();
  });
});

describe("examplePayload", () => {
  it("fills the required fields with values the schema accepts", () => {
    expect(examplePayload(modelCreated)).toEqual({ id: 1, value: "example" });
  });

  it("gives {} for other object schemas and nothing without a schema", () => {
    expect(examplePayload({ type: "object", properties: { tags: { type: "array" } } })).toEqual({});
    expect(examplePayload({ type: "object", properties: { code: { type: "string", pattern: "^x$" } }, required: ["code"] })).toEqual({});
    expect(examplePayload(null)).toBeUndefined();
  });
});

describe("readField and writeField", () => {
  const fields = formFieldsFor(modelCreated)!;
  const [id, value, urgent, region] = fields as [(typeof fields)[0], (typeof fields)[0], (typeof fields)[0], (typeof fields)[0]];

  it("read the form's values from the payload", () => {
    const payload = { id: 3, value: "x", urgent: true };
    expect(readField(payload, id)).toBe("3");
    expect(readField(payload, value)).toBe("x");
    expect(readField(payload, urgent)).toBe(true);
    expect(readField(payload, region)).toBe("");
    expect(readField("not an object", value)).toBe("");
  });

  it("write numbers as numbers and keep what does not parse as text", () => {
    expect(writeField({ value: "x" }, id, "42")).toEqual({ value: "x", id: 42 });
    expect(writeField({}, id, "4x")).toEqual({ id: "4x" });
    expect(writeField({}, urgent, true)).toEqual({ urgent: true });
  });

  it("remove an emptied optional field but keep an emptied required one", () => {
    expect(writeField({ region: "eu", value: "x" }, region, "")).toEqual({ value: "x" });
    expect(writeField({ value: "x" }, value, "")).toEqual({ value: "" });
  });
});
