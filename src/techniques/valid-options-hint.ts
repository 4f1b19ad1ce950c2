import type { z } from "zod";

/** "; valid options: a, b, c" for an options schema that is an object, else "" (for unknown-key errors). */
export function validOptionsHint(schema: z.ZodType): string {
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  const names = shape && typeof shape === "object" ? Object.keys(shape) : [];
  return names.length ? `; valid options: ${names.join(", ")}` : "; this technique takes no options";
}
