import { z } from "zod";
import type { LM } from "../../core/types.ts";

/** A technique option whose value is an LM (a model spec, resolved by the spec parser before it gets here). */
export function lmOption() {
  return z.custom<LM>(
    (v) =>
      typeof v === "object" &&
      v !== null &&
      typeof (v as LM).complete === "function" &&
      typeof (v as LM).stream === "function",
    "must be an LM",
  );
}
