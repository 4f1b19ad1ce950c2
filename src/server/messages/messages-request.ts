import type { ChatRequest, ContentPart, Message, ToolCall, ToolChoice } from "../../core/types.ts";
import { TOOL_CHOICES } from "../../providers/anthropic/anthropic-vocabulary.ts";
import type { RunPlan } from "../request-run.ts";
import type { ContentBlockParam, MessageParam, MessagesBody } from "./messages-body-schema.ts";
import { reasoningEffortOf } from "./thinking-effort.ts";

/**
 * A validated Messages API body as the core's OpenAI-shaped request: `system` first as a system
 * message, tool_use blocks as assistant tool_calls, each tool_result as a tool message (before the
 * rest of its user turn, as OpenAI orders them), images as image_url parts, thinking blocks as the
 * assistant's reasoning_content, thinking settings as `reasoning_effort`.
 */
export function messagesRunSpec(body: MessagesBody): RunPlan {
  const messages: Message[] = [];
  const system = typeof body.system === "string" ? body.system : body.system?.map((b) => b.text).join("\n\n");
  if (system) messages.push({ role: "system", content: system });
  for (const m of body.messages) messages.push(...(m.role === "user" ? userMessages(m) : [assistantMessage(m)]));

  const request: ChatRequest = { messages, max_tokens: body.max_tokens };
  if (body.temperature !== undefined) request.temperature = body.temperature;
  if (body.top_p !== undefined) request.top_p = body.top_p;
  // No OpenAI counterpart; the Anthropic driver and servers that know it (vLLM, llama.cpp) read it.
  if (body.top_k !== undefined) request.top_k = body.top_k;
  if (body.stop_sequences?.length) request.stop = body.stop_sequences;
  if (body.metadata?.user_id) request.user = body.metadata.user_id;
  const effort = reasoningEffortOf(body);
  if (effort) request.reasoning_effort = effort;
  if (body.tools?.length)
    request.tools = body.tools.map((t) => ({
      type: "function",
      function: {
        name: t.name,
        ...(t.description !== undefined ? { description: t.description } : {}),
        parameters: t.input_schema,
      },
    }));
  const choice = body.tool_choice;
  if (choice) {
    request.tool_choice = toolChoice(choice);
    if ("disable_parallel_tool_use" in choice && choice.disable_parallel_tool_use === true)
      request.parallel_tool_calls = false;
  }
  return { model: body.model, lmx: body.lmx, stream: body.stream === true, request };
}

function toolChoice(choice: NonNullable<MessagesBody["tool_choice"]>): ToolChoice {
  if (choice.type === "tool") return { type: "function", function: { name: choice.name } };
  return TOOL_CHOICES.find(([anthropic]) => anthropic === choice.type)![1];
}

/** One user turn: its tool results as tool messages, then whatever else it says as a user message. */
function userMessages(m: MessageParam): Message[] {
  if (typeof m.content === "string") return [{ role: "user", content: m.content }];
  const out: Message[] = [];
  const parts: ContentPart[] = [];
  for (const b of m.content) {
    if (b.type === "tool_result") out.push(toolMessage(b));
    else parts.push(...contentParts(b));
  }
  if (parts.length) out.push({ role: "user", content: parts });
  return out;
}

function assistantMessage(m: MessageParam): Message {
  if (typeof m.content === "string") return { role: "assistant", content: m.content };
  const text: string[] = [];
  const thinking: string[] = [];
  const calls: ToolCall[] = [];
  for (const b of m.content) {
    if (b.type === "text") text.push(b.text);
    else if (b.type === "thinking") thinking.push(b.thinking);
    else if (b.type === "tool_use")
      calls.push({ id: b.id, type: "function", function: { name: b.name, arguments: JSON.stringify(b.input) } });
    // Redacted thinking is the upstream's to read back, and no upstream lmx talks to through this shape can.
  }
  return {
    role: "assistant",
    content: text.length ? text.join("") : calls.length ? null : "",
    ...(calls.length ? { tool_calls: calls } : {}),
    ...(thinking.length ? { reasoning_content: thinking.join("\n\n") } : {}),
  };
}

/** A tool_result block as a tool message; an error result says so in its text (OpenAI has no flag for it). */
function toolMessage(b: Extract<ContentBlockParam, { type: "tool_result" }>): Message {
  const parts = typeof b.content === "string" ? [] : (b.content ?? []).flatMap(contentParts);
  const onlyText = parts.every((p) => p.type === "text");
  let content: string | ContentPart[] =
    typeof b.content === "string"
      ? b.content
      : onlyText
        ? parts.map((p) => (p as { text: string }).text).join("\n")
        : parts;
  if (b.is_error)
    content =
      typeof content === "string" ? `Error: ${content}` : [{ type: "text", text: "Error:" } as ContentPart, ...content];
  return { role: "tool", tool_call_id: b.tool_use_id, content };
}

/** Text and image blocks as OpenAI content parts; thinking in a user turn means nothing and is left out. */
function contentParts(b: ContentBlockParam): ContentPart[] {
  if (b.type === "text") return [{ type: "text", text: b.text }];
  if (b.type === "image") {
    const url = b.source.type === "base64" ? `data:${b.source.media_type};base64,${b.source.data}` : b.source.url;
    return [{ type: "image_url", image_url: { url } }];
  }
  return [];
}
