import { events } from "@/lib/events";
import { countModels } from "@/lib/db/models";

// Every instance may ask for the summary; only report workers (REPORTS_WORKER=1) answer it.
// In a cluster on Redis, a request made on any instance is forwarded to one that answers.
events.createQuery("report:summary", {
  internal: false,
  description: "A summary of the models, answered by the report workers",
});

if (process.env.REPORTS_WORKER === "1") {
  events.query("report:summary", async function summariseModels(_) {
    return { answeredBy: events.instance, models: countModels() };
  });
}
