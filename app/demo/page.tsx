import { headers } from "next/headers";
import { listModels } from "@/lib/db/models";
import { visitorName } from "@/events/visitor-name";
import { ModelsLive } from "../_components/demo/models-live";
import { PingsLive } from "../_components/demo/pings-live";
import { WhoIsHere } from "../_components/demo/who-is-here";

/**
 * The seed's browser page: the first list comes from the server, then the injected client keeps it
 * live (`new window.wf.ext.events.EventManager()`, `subscribe("model:created")`, `registerHandler`).
 * Below it, the `demo:ping` messages the dashboard fires, received the same way, and who else has
 * the page open (`demo:here`, presence-tracked).
 */
export default async function DemoPage() {
  const models = listModels().map(({ id, value }) => ({ id, value }));
  // The raw header, read exactly as the identify hook reads it.
  const savedName = visitorName((await headers()).get("cookie") ?? undefined) ?? "";
  return (
    <main className="mx-auto flex max-w-3xl flex-col gap-6 px-6 py-8">
      <div>
        <h1 className="text-xl font-semibold">Demo: models</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          This page subscribes to <code className="font-mono">model:created</code> with the injected client. Add a model here or with{" "}
          <code className="font-mono">curl -X POST /api/models</code>: every open page lists it at once, and the dashboard shows the trigger. It
          also shows the <code className="font-mono">demo:ping</code> messages fired from the dashboard.
        </p>
      </div>
      <ModelsLive initial={models} />
      <PingsLive />
      <WhoIsHere savedName={savedName} />
    </main>
  );
}
