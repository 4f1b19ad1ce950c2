import type { LM } from "./types.ts";

/** Whether a value is an LM: an object with `complete` and `stream` (the one test every module uses). */
export function isLM(value: unknown): value is LM {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as LM).complete === "function" &&
    typeof (value as LM).stream === "function"
  );
}
