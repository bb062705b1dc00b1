import { describe, expect, it } from "vitest";
import { exampleFor } from "./schema-example";

describe("exampleFor", () => {
  it("fills every required property so that the schema's bounds hold", () => {
    const schema = {
      type: "object",
      properties: {
        id: { type: "integer", exclusiveMinimum: 0, maximum: 9007199254740991 },
        value: { type: "string", minLength: 1, maxLength: 1000 },
        urgent: { type: "boolean" },
      },
      required: ["id", "value"],
    };
    expect(exampleFor(schema)).toEqual({ id: 1, value: "example" });
  });

  it("meets string lengths, enums, const and known formats", () => {
    expect(exampleFor({ type: "string", minLength: 12 })).toBe("exampleexample");
    expect(exampleFor({ type: "string", maxLength: 3 })).toBe("exa");
    expect(exampleFor({ type: "string", enum: ["eu-west", "us-east"] })).toBe("eu-west");
    expect(exampleFor({ const: "fixed" })).toBe("fixed");
    expect(exampleFor({ type: "string", format: "email" })).toBe("someone@example.com");
  });

  it("meets number bounds, open or closed, and multiples", () => {
    expect(exampleFor({ type: "number", minimum: 5 })).toBe(5);
    expect(exampleFor({ type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 })).toBe(0.5);
    expect(exampleFor({ type: "integer", minimum: 3, multipleOf: 2 })).toBe(4);
    expect(exampleFor({ type: "integer", maximum: -4 })).toBe(-4);
    expect(exampleFor({ type: "integer", minimum: 0 })).toBe(0);
  });

  it("makes arrays of the least length, picks a union's first satisfiable option, and follows nullable types", () => {
    expect(exampleFor({ type: "array", items: { type: "string" }, minItems: 2 })).toEqual(["example", "example"]);
    expect(exampleFor({ anyOf: [{ type: "string", pattern: "^x$" }, { type: "number" }] })).toBe(0);
    expect(exampleFor({ type: ["string", "null"], minLength: 2 })).toBe("example");
  });

  it("says it cannot when a property's schema cannot be satisfied without guessing (a pattern)", () => {
    expect(exampleFor({ type: "object", properties: { code: { type: "string", pattern: "^[A-Z]{3}$" } }, required: ["code"] })).toBeUndefined();
    expect(exampleFor({ type: "integer", minimum: 2, maximum: 1 })).toBeUndefined();
  });
});
