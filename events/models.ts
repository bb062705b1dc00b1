import { events } from "@/lib/events";
import { countModels } from "@/lib/db/models";
import { logger } from "@/lib/logger";
import { subscribeOnly } from "./guards";
import { ModelCreated } from "./schemas";

// A public broadcast channel the browser is allowed to listen to, but not to forge: pages may
// subscribe; only the server (POST /api/models, which writes the database first) and the
// dashboard trigger it. Every public event a page should not trigger needs such a hook.
events.createSignal("model:created", {
  internal: false,
  schema: ModelCreated,
  description: "A model was added (POST /api/models)",
  authorize: subscribeOnly,
});

// A server-side reaction: it receives the event's data and runs in a fresh context.
events.event("model:created", async function logNewModel(data) {
  const { id } = events.context()!;
  logger().info({ event: "model:created", id, model: data }, `A new model appeared: ${JSON.stringify(data)}`);
});

// Asking for an answer: a singleton query, so `request` resolves to one number.
events.query("model:count", async function countAllModels(_) {
  return countModels();
}, { description: "How many models the database holds" });
