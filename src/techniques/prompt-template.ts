import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";

/**
 * Fills `{name}` placeholders in a prompt template. `{{` and `}}` write literal braces. An unknown
 * placeholder is an InvalidRequestError rather than silent text, so a typo in a user's custom
 * prompt is reported instead of sent to the model.
 */
export function fillTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{\{|\}\}|\{([A-Za-z_][\w-]*)\}/g, (match, name: string | undefined) => {
    if (match === "{{") return "{";
    if (match === "}}") return "}";
    if (!Object.hasOwn(values, name!)) {
      const known =
        Object.keys(values)
          .map((k) => `{${k}}`)
          .join(", ") || "none";
      throw new InvalidRequestError(`unknown placeholder {${name}} in prompt template (available: ${known})`, {
        param: "prompt",
      });
    }
    return String(values[name!]);
  });
}
