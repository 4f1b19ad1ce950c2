import { estimatePromptTokens, estimateTextTokens } from "../../accounting/estimate-tokens.ts";
import type { ChatRequest, Choice } from "../../core/types.ts";
import type { DriverUsage } from "../provider-driver.ts";

/**
 * Usage for an upstream that reported none (some local servers): the prompt by lmx's estimate,
 * the completion by the same estimate, so budgets still move.
 */
export function estimateUsage(options: { request: ChatRequest; choices: Choice[] }): DriverUsage {
  let tokens = 0;
  for (const c of options.choices) {
    const content = c.message.content;
    if (typeof content === "string") tokens += estimateTextTokens(content);
    for (const t of c.message.tool_calls ?? []) tokens += estimateTextTokens(t.function.name + t.function.arguments);
  }
  return {
    prompt_tokens: estimatePromptTokens(options.request),
    completion_tokens: Math.ceil(tokens),
    estimated: true,
  };
}
