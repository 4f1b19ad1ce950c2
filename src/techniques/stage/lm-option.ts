import { z } from "zod";
import { isLM } from "../../core/is-lm.ts";
import type { LM } from "../../core/types.ts";

/** A technique option whose value is an LM (a model spec, resolved by the spec parser before it gets here). */
export function lmOption() {
  return z.custom<LM>(isLM, "must be an LM");
}
