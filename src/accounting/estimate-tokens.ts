import type { ChatRequest, Message } from "../core/types.ts";

/**
 * A cheap upper-ish estimate of prompt tokens, used for budget checks (and as usage where an upstream
 * reports none): ~4 ASCII characters a token, and ~3 UTF-8 bytes a token for everything else, since
 * Chinese, Japanese or Korean text takes about a token a character, not a quarter of one.
 */
export function estimatePromptTokens(request: ChatRequest): number {
  let tokens = 0;
  for (const m of request.messages) tokens += messageTokens(m) + 4;
  if (request.tools) tokens += estimateTextTokens(JSON.stringify(request.tools));
  return Math.ceil(tokens);
}

/** Estimated tokens of a text (fractional; round the sum). */
export function estimateTextTokens(text: string): number {
  let ascii = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 128) ascii++;
  return ascii / 4 + (Buffer.byteLength(text, "utf8") - ascii) / 3;
}

function messageTokens(m: Message): number {
  let tokens = 0;
  if (typeof m.content === "string") tokens += estimateTextTokens(m.content);
  else if (Array.isArray(m.content))
    for (const p of m.content) tokens += "text" in p && typeof p.text === "string" ? estimateTextTokens(p.text) : 64;
  if (m.tool_calls) tokens += estimateTextTokens(JSON.stringify(m.tool_calls));
  return tokens;
}
