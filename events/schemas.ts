import { z } from "zod";

export const MAX_MODEL_VALUE_LENGTH = 1000;

/** The payload of `model:created`: shared by the server, the route and the browser pages. */
export const ModelCreated = z.object({
  id: z.number().int().positive(),
  value: z.string().min(1).max(MAX_MODEL_VALUE_LENGTH),
});
export type ModelCreated = z.infer<typeof ModelCreated>;
