import type { CacheWarmed, DemoPing, DemoTwoHandlers, HealthReport } from "./demo";
import type { ModelCreated } from "./schemas";

// The app's events and queries, by name: from here on the compiler checks every
// `events.trigger`, `events.event`, `events.request` and `events.query` in the app.
declare module "@/lib/events" {
  interface Register {
    events: {
      "model:created": ModelCreated;
      "demo:ping": DemoPing;
      "demo:here": undefined;
      "cache:warmed": CacheWarmed;
      "demo:two-handlers": DemoTwoHandlers;
    };
    queries: {
      "model:count": { data: void; result: number };
      "health:check": { data: void; result: HealthReport; singleton: false };
      "report:summary": { data: void; result: { answeredBy: string; models: number } };
    };
  }
}
