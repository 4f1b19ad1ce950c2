import { AbortedError } from "../../core/errors/aborted-error.ts";
import { BudgetExceededError } from "../../core/errors/budget-error.ts";
import type { RunContext } from "../../core/types.ts";
import { parseToolArguments } from "../../tools/tool-arguments.ts";
import type { Tool } from "../../tools/tool.ts";

/** Tool results sent back to the model are cut to this many characters. */
const MAX_RESULT_CHARS = 20_000;

export interface ToolCallOutcome {
  /** What the model reads: the result, or `Error: ...`. */
  content: string;
  error?: string;
}

/**
 * Runs one tool call in its own `tool` span (name, arguments, result or error, latency). A failing
 * tool is not a failed run: its error becomes the result text so the model can react. Only an abort
 * or a budget stop propagates.
 */
export async function executeToolCall(options: {
  tool: Tool;
  name: string;
  id: string;
  argumentsText: string;
  ctx: RunContext;
}): Promise<ToolCallOutcome> {
  const { tool, name, id, argumentsText, ctx } = options;
  const span = ctx.span.child(name, "tool", { tool: name, call_id: id, arguments: readable(argumentsText) });
  const started = performance.now();
  const latency = () => Math.round((performance.now() - started) * 100) / 100;
  try {
    if (ctx.signal?.aborted) throw new AbortedError();
    const args = parseToolArguments({ tool: name, text: argumentsText });
    const out = await tool.execute(args, { ...ctx, span });
    const content = clip(typeof out === "string" ? out : out === undefined ? "" : (JSON.stringify(out) ?? String(out)));
    span.set({ result: content, latency_ms: latency() });
    span.finish();
    return { content };
  } catch (error) {
    span.set({ latency_ms: latency() });
    span.fail(error);
    if (AbortedError.isInstance(error) || BudgetExceededError.isInstance(error)) throw error;
    if (ctx.signal?.aborted) throw new AbortedError("the run was aborted", { cause: error });
    const message = error instanceof Error ? error.message : String(error);
    return { content: clip(`Error: ${message}`), error: message };
  }
}

function readable(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function clip(text: string): string {
  return text.length > MAX_RESULT_CHARS
    ? `${text.slice(0, MAX_RESULT_CHARS)}\n[result truncated at ${MAX_RESULT_CHARS} characters]`
    : text;
}
