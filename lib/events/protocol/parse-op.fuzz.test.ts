import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_NAME_LENGTH, MAX_REF_LENGTH } from "./frames";
import { parseClientOp } from "./parse-op";

const OP_TYPES = ["subscribe", "unsubscribe", "trigger", "request", "describe", "ping", "monitor", "presence"];

describe("parseClientOp under fuzzing", () => {
  it("never throws, and every op it accepts is well-formed", () => {
    const frame = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.json({ maxDepth: 5 }),
      fc.dictionary(fc.constantFrom("type", "ref", "event", "query", "data", "since", "timeout", "token", "extra"), fc.jsonValue({ maxDepth: 2 })).map((value) => JSON.stringify(value)),
      fc.record({ type: fc.constantFrom(...OP_TYPES), ref: fc.oneof(fc.string(), fc.integer()), event: fc.string(), query: fc.string(), token: fc.string() }, { requiredKeys: ["type", "ref"] }).map((value) => JSON.stringify(value)),
    );
    fc.assert(
      fc.property(frame, (text) => {
        const parsed = parseClientOp(text);
        if (!parsed.ok) {
          expect(parsed.message.length).toBeGreaterThan(0);
          return;
        }
        const op = parsed.op as unknown as Record<string, unknown>;
        expect(OP_TYPES).toContain(op.type);
        expect(typeof op.ref === "number" ? Number.isFinite(op.ref) : (op.ref as string).length <= MAX_REF_LENGTH && (op.ref as string).length > 0).toBe(true);
        for (const field of ["event", "query"]) {
          if (field in op) expect((op[field] as string).length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
        }
        if (op.timeout !== undefined) expect(Number.isInteger(op.timeout)).toBe(true);
      }),
      { numRuns: 2_000, seed: 7 },
    );
  });

  it("reads any valid op whatever the order and extra fields", () => {
    // A name with a `*` is a pattern, which only a subscribe takes.
    const name = fc.string({ minLength: 1, maxLength: 200 }).filter((text) => !text.includes("*"));
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64 }), name, fc.jsonValue(), (ref, event, data) => {
        const parsed = parseClientOp(JSON.stringify({ data, extra: true, event, ref, type: "trigger" }));
        expect(parsed).toEqual({ ok: true, op: { type: "trigger", ref, event, data: JSON.parse(JSON.stringify(data)) } });
      }),
      { numRuns: 500, seed: 11 },
    );
  });

  it("refuses a trigger, a request or a presence op whose name holds a *, and any pattern but a last segment of *", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), fc.constantFrom("trigger", "request", "presence"), (before, after, type) => {
        const name = `${before}*${after}`;
        const field = type === "request" ? "query" : "event";
        expect(parseClientOp(JSON.stringify({ type, ref: 1, [field]: name }))).toMatchObject({ ok: false });
        const subscribed = parseClientOp(JSON.stringify({ type: "subscribe", ref: 1, event: name }));
        const isPattern = after === "" && (before === "" || before.endsWith(":")) && /^[A-Za-z0-9_.:\-/]*$/.test(before);
        expect(subscribed.ok).toBe(isPattern);
      }),
      { numRuns: 1_000, seed: 13 },
    );
  });
});
