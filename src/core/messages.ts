import type { ChatRequest, ChatResult, Message } from "./types.ts";

/** The text of a message's content (multi-part text joined; non-text parts skipped). */
export function contentText(content: Message["content"]): string {
  if (content == null) return "";
  if (typeof content === "string") return content;
  return content
    .map((p) => (p.type === "text" && "text" in p && typeof p.text === "string" ? p.text : ""))
    .filter(Boolean)
    .join("\n");
}

/** The text of the last user message: the question a technique is answering. */
export function lastUserText(request: ChatRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i]!;
    if (m.role === "user") return contentText(m.content);
  }
  return "";
}

/** The text of choice `index` of a result. */
export function resultText(result: ChatResult, index = 0): string {
  return contentText(result.choices[index]?.message.content ?? null);
}

export function userMessage(text: string): Message {
  return { role: "user", content: text };
}
