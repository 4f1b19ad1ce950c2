import { estimatePromptTokens } from "../../accounting/estimate-tokens.ts";
import type { ChatRequest, Choice } from "../../core/types.ts";
import type { DriverUsage } from "../provider-driver.ts";

/**
 * Usage for an upstream that reported none (some local servers): the prompt by lmx's estimate,
 * the completion at ~4 characters a token, so budgets still move.
 */
export function estimateUsage(options: { request: ChatRequest; choices: Choice[] }): DriverUsage {
  let chars = 0;
  for (const c of options.choices) {
    const content = c.message.content;
    if (typeof content === "string") chars += content.length;
    for (const t of c.message.tool_calls ?? []) chars += t.function.name.length + t.function.arguments.length;
  }
  return { prompt_tokens: estimatePromptTokens(options.request), completion_tokens: Math.ceil(chars / 4) };
}
