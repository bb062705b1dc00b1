import { events } from "@/lib/events";
import { insertModel, listModels } from "@/lib/db/models";
import { errorResponse } from "@/lib/http/error-response";
import { readJsonBody } from "@/lib/http/read-json-body";
import { MAX_MODEL_VALUE_LENGTH } from "@/events/schemas";

export const dynamic = "force-dynamic";

/**
 * The most bytes a POST body may have: a value of MAX_MODEL_VALUE_LENGTH characters, each
 * escaped as \uXXXX, still fits.
 */
const MODELS_BODY_LIMIT = 16 * 1024;

/** Adds a model and announces it on `model:created`, as in the seed's `add_model`. */
export async function POST(request: Request): Promise<Response> {
  const body = await readJsonBody(request, { limit: MODELS_BODY_LIMIT, route: "/api/models", example: '{"value": "first"}' });
  if (!body.ok) return body.response;
  const value = typeof body.value === "object" && body.value !== null ? (body.value as { value?: unknown }).value : undefined;
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
  return errorResponse(400, "bad_request", message);
}
