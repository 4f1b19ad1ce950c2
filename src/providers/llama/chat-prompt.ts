import type { ChatHistoryItem, ChatWrapper, LlamaModel, LlamaText, Token } from "node-llama-cpp";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import type { Message } from "../../core/types.ts";

/** What the model sees and what ends its answer. */
export interface ChatPrompt {
  tokens: Token[];
  /** The wrapper's end-of-turn markers (e.g. `<|im_end|>`), as plain strings or special-token sequences. */
  stopTriggers: LlamaText[];
}

/**
 * Renders OpenAI-shaped messages through the model's own chat wrapper (from its template) and tokenizes
 * the result, so prompt token counts are exactly what llama.cpp evaluates.
 */
export function renderChatPrompt(options: {
  model: LlamaModel;
  chatWrapper: ChatWrapper;
  messages: Message[];
}): ChatPrompt {
  const chatHistory = toChatHistory(options.messages);
  // An empty model turn at the end asks the wrapper for the assistant's generation prompt.
  if (chatHistory.at(-1)?.type !== "model") chatHistory.push({ type: "model", response: [] });
  const state = options.chatWrapper.generateContextState({ chatHistory });
  return { tokens: state.contextText.tokenize(options.model.tokenizer), stopTriggers: state.stopGenerationTriggers };
}

/** OpenAI roles to node-llama-cpp's history. Tool traffic becomes text, since this provider declares no tools. */
export function toChatHistory(messages: Message[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  for (const [i, m] of messages.entries()) {
    const text = textOf(m, i);
    switch (m.role) {
      case "system":
      case "developer":
        history.push({ type: "system", text });
        break;
      case "user":
        history.push({ type: "user", text });
        break;
      case "assistant": {
        const calls = m.tool_calls?.map((c) => `${c.function.name}(${c.function.arguments})`).join("\n");
        history.push({
          type: "model",
          response: [[text, calls ? `Tool calls:\n${calls}` : ""].filter(Boolean).join("\n")],
        });
        break;
      }
      case "tool":
        history.push({ type: "user", text: `Tool result${m.name ? ` (${m.name})` : ""}:\n${text}` });
        break;
      default:
        throw new InvalidRequestError(`messages[${i}] has an unknown role ${JSON.stringify(m.role)}`, {
          param: `messages[${i}].role`,
        });
    }
  }
  return history;
}

function textOf(m: Message, i: number): string {
  if (m.content == null) return "";
  if (typeof m.content === "string") return m.content;
  const parts: string[] = [];
  for (const part of m.content) {
    if (part.type === "text" && typeof (part as { text?: unknown }).text === "string")
      parts.push((part as { text: string }).text);
    else
      throw new InvalidRequestError(
        `messages[${i}] has a ${part.type} part; local llama.cpp models here take text only`,
        { param: `messages[${i}].content` },
      );
  }
  return parts.join("\n");
}
