import type { ChatRequest, Message } from "../core/types.ts";

/** A cheap upper-ish estimate of prompt tokens (~4 characters a token), used for budget checks only. */
export function estimatePromptTokens(request: ChatRequest): number {
  let chars = 0;
  for (const m of request.messages) chars += messageChars(m) + 16;
  if (request.tools) chars += JSON.stringify(request.tools).length;
  return Math.ceil(chars / 4);
}

function messageChars(m: Message): number {
  let chars = 0;
  if (typeof m.content === "string") chars += m.content.length;
  else if (Array.isArray(m.content)) for (const p of m.content) chars += "text" in p && typeof p.text === "string" ? p.text.length : 256;
  if (m.tool_calls) chars += JSON.stringify(m.tool_calls).length;
  return chars;
}
