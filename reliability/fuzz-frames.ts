/**
 * Random and malformed frames for the soak's fuzzer, drawn from fast-check arbitraries: text that
 * is not JSON, JSON that is not an op, ops with wrong or missing fields, ops on real names with
 * random data, deep nesting, binary frames, invalid UTF-8 and frames over EVENTS_MAX_PAYLOAD.
 */
import fc from "fast-check";

export type FuzzFrame =
  | { kind: "text"; label: string; text: string }
  | { kind: "bytes"; label: string; bytes: Buffer; binary: boolean };

const NAMES = ["model:created", "demo:ping", "report:summary", "model:count", "cache:warmed", "health:check", "", "*", "model:creatd"];
const TYPES = ["subscribe", "unsubscribe", "trigger", "request", "describe", "ping", "monitor", "welcome", "event", ""];

const name = fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 40 }), fc.string({ minLength: 201, maxLength: 260 }));
const ref = fc.oneof(fc.integer(), fc.string({ maxLength: 70 }), fc.constant(null), fc.double(), fc.boolean());

/** `count` frames, reproducible for a given seed. */
export function fuzzFrames(count: number, seed: number): FuzzFrame[] {
  const text = (label: string) => (value: string): FuzzFrame => ({ kind: "text", label, text: value });
  const arbitrary: fc.Arbitrary<FuzzFrame> = fc.oneof(
    { weight: 10, arbitrary: fc.string({ unit: "binary", maxLength: 300 }).map(text("random text")) },
    { weight: 10, arbitrary: fc.json({ maxDepth: 5 }).map(text("random JSON")) },
    {
      weight: 15,
      arbitrary: fc
        .dictionary(fc.constantFrom("type", "ref", "event", "query", "data", "since", "timeout", "token", "extra"), fc.jsonValue({ maxDepth: 2 }))
        .map((value) => JSON.stringify(value))
        .map(text("op-shaped object")),
    },
    {
      weight: 25,
      arbitrary: fc
        .record(
          { type: fc.constantFrom(...TYPES), ref, event: name, query: name, data: fc.jsonValue({ maxDepth: 3 }), since: fc.oneof(fc.string({ maxLength: 140 }), fc.integer()), timeout: fc.oneof(fc.integer(), fc.double()), token: fc.string({ maxLength: 50 }) },
          { requiredKeys: ["type"] },
        )
        .map((value) => JSON.stringify(value))
        .map(text("op with random fields")),
    },
    {
      weight: 10,
      arbitrary: fc
        .record({ id: fc.oneof(fc.integer(), fc.string()), value: fc.oneof(fc.string(), fc.integer()), message: fc.string(), urgent: fc.anything() }, { requiredKeys: [] })
        .chain((data) => fc.constantFrom("model:created", "demo:ping").map((event) => JSON.stringify({ type: "trigger", ref: 1, event, data })))
        .map(text("trigger with random data")),
    },
    { weight: 3, arbitrary: fc.integer({ min: 1_000, max: 30_000 }).map((depth) => text("deep array")("[".repeat(depth) + "]".repeat(depth))) },
    {
      weight: 3,
      arbitrary: fc.integer({ min: 1_000, max: 20_000 }).map((depth) => text("deep op")(`{"type":"trigger","ref":1,"event":"demo:ping","data":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`)),
    },
    { weight: 4, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes): FuzzFrame => ({ kind: "bytes", label: "binary frame", bytes: Buffer.from(bytes), binary: true })) },
    {
      weight: 1,
      arbitrary: fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes): FuzzFrame => ({ kind: "bytes", label: "invalid UTF-8 text", bytes: Buffer.concat([Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(bytes)]), binary: false })),
    },
    { weight: 1, arbitrary: fc.integer({ min: 65_537, max: 100_000 }).map((size) => text("oversized frame")(`{"type":"ping","ref":1,"pad":"${"x".repeat(size)}"}`)) },
  );
  return fc.sample(arbitrary, { numRuns: count, seed });
}
