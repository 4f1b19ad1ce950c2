import type { RunContext, ToolDefinition } from "../core/types.ts";

/**
 * A tool lmx can run for a model: an OpenAI function definition and its implementation. Whatever
 * `execute` returns goes back to the model as the tool result (strings as they are, other values as
 * JSON); whatever it throws goes back as `Error: message`, so the model can correct its call.
 * `ctx` is the tool call's own trace context (budget, span, abort signal) for tools that call LMs.
 */
export interface Tool {
  definition: ToolDefinition;
  execute(args: Record<string, unknown>, ctx: RunContext): unknown;
}

/** Tools for one run, and how to release what they hold (MCP connections). */
export interface OpenTools {
  tools: Tool[];
  /** The MCP servers connected for the run: name, child process id (stdio) and tool names. */
  servers: { server: string; pid?: number; tools: string[] }[];
  close(): Promise<void>;
}

/** The function name of a tool. */
export function toolName(tool: Tool): string {
  return tool.definition.function.name;
}

/** A tool from its parts: `parameters` is the JSON schema of the arguments object. */
export function functionTool(options: {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  execute: Tool["execute"];
}): Tool {
  const { name, description, parameters, execute } = options;
  return { definition: { type: "function", function: { name, description, parameters } }, execute };
}
