import { z } from "zod";

/** A price in lmx.config.json: USD per million tokens. */
export const priceSchema = z.strictObject({
  input: z.number().min(0),
  output: z.number().min(0),
  cached_input: z.number().min(0).optional(),
});
