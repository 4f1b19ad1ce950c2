import { z } from "zod";

/** Most samples one request asks for by default: OpenAI's limit for `n`. */
export const DEFAULT_PER_CALL = 128;

/** The `per_call` technique option: the most samples asked for in one request. */
export const perCallOption = z
  .int()
  .min(1)
  .max(1000)
  .default(DEFAULT_PER_CALL)
  .describe(
    "Most samples asked for in one request; more are drawn in several requests at fresh sample offsets (OpenAI accepts n up to 128).",
  );
