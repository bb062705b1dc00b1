import { events } from "@/lib/events";
import { insertModel, listModels } from "@/lib/db/models";
import { MAX_MODEL_VALUE_LENGTH } from "@/events/schemas";

export const dynamic = "force-dynamic";

/** Adds a model and announces it on `model:created`, as in the seed's `add_model`. */
export async function POST(request: Request): Promise<Response> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return badRequest("The request body must be JSON, such as {\"value\": \"first\"}");
  }
  const value = typeof body === "object" && body !== null ? (body as { value?: unknown }).value : undefined;
  if (typeof value !== "string" || value.trim() === "") {
    return badRequest("\"value\" is required: a non-empty string");
  }
  if (value.length > MAX_MODEL_VALUE_LENGTH) {
    return badRequest(`"value" is ${value.length} characters long; at most ${MAX_MODEL_VALUE_LENGTH} are allowed`);
  }
  const model = insertModel(value);
  await events.trigger("model:created", { id: model.id, value: model.value });
  return Response.json({ model_id: model.id, value: model.value });
}

/** The newest models, for the demo page's first render. */
export async function GET(): Promise<Response> {
  return Response.json({ models: listModels() });
}

function badRequest(message: string): Response {
  return Response.json({ error: { code: "bad_request", message } }, { status: 400 });
}
