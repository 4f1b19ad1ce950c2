import type { ChatRequest, Message } from "../../core/types.ts";

/**
 * The request with `note` added to its system prompt: appended to a leading system (or developer)
 * message, else as a new system message first. The conversation itself is left as it is.
 */
export function withSystemNote(request: ChatRequest, note: string): ChatRequest {
  const [first, ...rest] = request.messages;
  if (first && (first.role === "system" || first.role === "developer")) {
    const content: Message["content"] =
      typeof first.content === "string" || first.content == null
        ? [first.content ?? "", note].filter(Boolean).join("\n\n")
        : [...first.content, { type: "text", text: note }];
    return { ...request, messages: [{ ...first, content }, ...rest] };
  }
  return { ...request, messages: [{ role: "system", content: note }, ...request.messages] };
}
