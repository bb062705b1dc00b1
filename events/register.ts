import type { ModelCreated } from "./schemas";

// The app's events and queries, by name: from here on the compiler checks every
// `events.trigger`, `events.event`, `events.request` and `events.query` in the app.
declare module "@/lib/events" {
  interface Register {
    events: {
      "model:created": ModelCreated;
    };
    queries: {
      "model:count": { data: void; result: number };
    };
  }
}
