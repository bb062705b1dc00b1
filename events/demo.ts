// Extra declarations that give the dashboard something to show besides the seed's model events:
// a public test event with a form-friendly schema, an internal event with a handler, and an
// internal query answered by several handlers (a list, not one value).
import { z } from "zod";
import { events } from "@/lib/events";
import { countModels } from "@/lib/db/models";
import { subscribeOnly } from "./guards";

/** The payload of `demo:ping`: what the dashboard's Fire panel sends to browsers. */
export const DemoPing = z.object({
  message: z.string().min(1).max(500),
  urgent: z.boolean().optional(),
});
export type DemoPing = z.infer<typeof DemoPing>;

/** The payload of `cache:warmed`. */
export const CacheWarmed = z.object({
  region: z.enum(["eu-west", "us-east", "ap-south"]),
  keys: z.number().int().min(0),
});
export type CacheWarmed = z.infer<typeof CacheWarmed>;

/** One component's answer to `health:check`. */
export interface HealthReport {
  component: string;
  ok: boolean;
  detail: string;
}

events.createSignal("demo:ping", {
  internal: false,
  schema: DemoPing,
  description: "A test message for browsers (fire it from the dashboard; /demo and any subscribed page see it)",
  // Pages listen; a page that could trigger it would reach every subscriber (amplification).
  authorize: subscribeOnly,
});

events.createSignal("cache:warmed", {
  internal: true,
  schema: CacheWarmed,
  description: "Server-side only: a cache region was filled (never reaches a browser)",
});

const warmed = new Map<string, number>();
events.event("cache:warmed", async function rememberWarmRegion(data) {
  warmed.set(data.region, (warmed.get(data.region) ?? 0) + data.keys);
});

events.query("health:check", async function databaseHealth(_) {
  const started = performance.now();
  const models = countModels();
  return { component: "database", ok: true, detail: `${models} models, ${(performance.now() - started).toFixed(1)} ms` } satisfies HealthReport;
}, { singleton: false, description: "Every component answers: database and cache (an internal, non-singleton query)" });

events.query("health:check", async function cacheHealth(_) {
  const keys = [...warmed.values()].reduce((sum, n) => sum + n, 0);
  return { component: "cache", ok: true, detail: `${warmed.size} regions warm, ${keys} keys` } satisfies HealthReport;
});

/** The payload of `demo:two-handlers`. */
export const DemoTwoHandlers = z.object({
  note: z.string().min(1).max(200),
});
export type DemoTwoHandlers = z.infer<typeof DemoTwoHandlers>;

// Internal, for the dashboard's handler spans: one trigger, two handlers, the second failing on
// purpose, so that the trace's waterfall shows a slow success beside a failure (the e2e tests and
// the README's picture fire it).
events.createSignal("demo:two-handlers", {
  internal: true,
  schema: DemoTwoHandlers,
  description: "Two handlers, one slow, one failing on purpose: to see handler spans in a trace",
});

const notes: string[] = [];
events.event("demo:two-handlers", async function keepsTheNote(data) {
  await new Promise((resolve) => setTimeout(resolve, 12));
  notes.push(data.note);
  if (notes.length > 20) notes.shift();
});

events.event("demo:two-handlers", function failsOnPurpose(data) {
  throw new Error(`the demo's second handler fails on purpose (note: ${data.note.slice(0, 40)})`);
});
