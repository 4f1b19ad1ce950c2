import { z } from "zod";
import { fillTemplate } from "../prompt-template.ts";

/**
 * A prompt option: a template string defaulting to `text`. Its placeholders are checked when the
 * technique is made, so a typo in a custom prompt fails at once instead of at the first request:
 * each must be one of `placeholders`, and every name in `required` must appear.
 */
export function templateOption({
  text,
  placeholders,
  required = [],
}: {
  text: string;
  placeholders: string[];
  required?: string[];
}) {
  return z
    .string()
    .superRefine((template, ctx) => {
      const marks = Object.fromEntries(placeholders.map((p) => [p, `\u0000${p}\u0000`]));
      let filled: string;
      try {
        filled = fillTemplate(template, marks);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return;
      }
      const missing = required.filter((p) => !filled.includes(marks[p]!));
      if (missing.length)
        ctx.addIssue({ code: "custom", message: `the prompt must use ${missing.map((p) => `{${p}}`).join(", ")}` });
    })
    .default(text);
}
