import { ToolError } from "./tool-error.ts";

/** The arguments of a tool call: its JSON text parsed to an object (empty text is `{}`), or a ToolError. */
export function parseToolArguments({ tool, text }: { tool: string; text: string }): Record<string, unknown> {
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ToolError({
      tool,
      message: `the arguments of ${tool} are not valid JSON (${(error as Error).message}): ${text.slice(0, 200)}`,
      cause: error,
    });
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new ToolError({ tool, message: `the arguments of ${tool} must be a JSON object, got ${text.slice(0, 200)}` });
  return value as Record<string, unknown>;
}

/** A required string argument, or a ToolError naming it. */
export function stringArgument({
  tool,
  args,
  name,
}: {
  tool: string;
  args: Record<string, unknown>;
  name: string;
}): string {
  const value = args[name];
  if (typeof value !== "string")
    throw new ToolError({
      tool,
      message: `${tool} needs a string argument "${name}"${value === undefined ? "" : `, got ${JSON.stringify(value)}`}`,
    });
  return value;
}
