import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { contentText } from "../../core/messages.ts";
import type { ContentPart, Message } from "../../core/types.ts";

type Block = Record<string, unknown>;
export interface AnthropicMessage {
  role: "user" | "assistant";
  content: Block[];
}

/**
 * OpenAI-shaped messages as Anthropic ones: system and developer messages become the `system`
 * text, assistant tool_calls become tool_use blocks, tool messages become tool_result blocks, and
 * consecutive turns of one role (several tool results, a tool result then a user note) merge into one.
 */
export function anthropicMessages(messages: Message[]): { system?: string; messages: AnthropicMessage[] } {
  const system: string[] = [];
  const out: AnthropicMessage[] = [];
  const push = (role: AnthropicMessage["role"], blocks: Block[]) => {
    if (blocks.length === 0) return;
    const last = out.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  messages.forEach((m, i) => {
    if (m.role === "system" || m.role === "developer") {
      const text = contentText(m.content);
      if (text) system.push(text);
    } else if (m.role === "user") push("user", contentBlocks(m.content));
    else if (m.role === "assistant")
      push("assistant", [
        ...thinkingBlocks(m, `messages[${i}].anthropic_thinking`),
        ...contentBlocks(m.content),
        ...(m.tool_calls ?? []).map((t, k) => toolUse(t, `messages[${i}].tool_calls[${k}]`)),
      ]);
    else if (m.role === "tool") {
      if (!m.tool_call_id)
        throw new InvalidRequestError("a tool message needs tool_call_id", { param: `messages[${i}].tool_call_id` });
      const content = typeof m.content === "string" ? m.content : contentBlocks(m.content);
      push("user", [{ type: "tool_result", tool_use_id: m.tool_call_id, content }]);
    } else throw new InvalidRequestError(`unknown message role "${String(m.role)}"`, { param: `messages[${i}].role` });
  });
  return { system: system.length > 0 ? system.join("\n\n") : undefined, messages: out };
}

/** Text and image parts as Anthropic blocks; empty text is left out (the API rejects it). */
function contentBlocks(content: Message["content"]): Block[] {
  if (content == null) return [];
  if (typeof content === "string") return content ? [{ type: "text", text: content }] : [];
  return content.flatMap((part): Block[] => {
    if (part.type === "text")
      return typeof part.text === "string" && part.text ? [{ type: "text", text: part.text }] : [];
    if (part.type === "image_url") return [imageBlock(part as Extract<ContentPart, { type: "image_url" }>)];
    // Anything else (document, image blocks already in Anthropic's shape) goes through unchanged.
    return [part as Block];
  });
}

function imageBlock(part: { image_url: { url: string } }): Block {
  const url = part.image_url.url;
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (data) return { type: "image", source: { type: "base64", media_type: data[1], data: data[2] } };
  if (/^https?:\/\//.test(url)) return { type: "image", source: { type: "url", url } };
  throw new InvalidRequestError("image_url must be a base64 data URL or an http(s) URL", { param: "image_url.url" });
}

function toolUse(call: { id: string; function: { name: string; arguments: string } }, param: string): Block {
  let input: unknown = {};
  if (call.function.arguments.trim()) {
    try {
      input = JSON.parse(call.function.arguments);
    } catch {
      throw new InvalidRequestError(
        `tool call arguments are not valid JSON: ${call.function.arguments.slice(0, 100)}`,
        { param },
      );
    }
  }
  return { type: "tool_use", id: call.id, name: call.function.name, input };
}

/**
 * The signed thinking blocks an earlier answer came with (`anthropic_thinking`), sent back first, as
 * the API requires of an assistant turn with tool use while thinking is on. The API checks the signatures.
 */
function thinkingBlocks(m: Message, param: string): Block[] {
  const blocks = (m as { anthropic_thinking?: unknown }).anthropic_thinking;
  if (blocks === undefined) return [];
  if (!Array.isArray(blocks) || !blocks.every(isThinkingBlock))
    throw new InvalidRequestError(
      "anthropic_thinking must be a list of {type: thinking, thinking, signature} or {type: redacted_thinking, data}",
      { param },
    );
  return blocks;
}

export function isThinkingBlock(b: unknown): b is Block {
  if (typeof b !== "object" || b === null) return false;
  const x = b as Block;
  if (x.type === "thinking") return typeof x.thinking === "string" && typeof x.signature === "string";
  return x.type === "redacted_thinking" && typeof x.data === "string";
}
