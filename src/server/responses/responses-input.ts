import type {
  ChatRequest,
  ContentPart,
  Message,
  ResponseFormat,
  ToolChoice,
  ToolDefinition,
} from "../../core/types.ts";
import type { InputItem, ResponsesBody } from "./responses-body-schema.ts";

/**
 * A Responses request as the chat request every LM takes: `instructions` become the system message,
 * input items become messages (consecutive function calls one assistant message with `tool_calls`,
 * their outputs `tool` messages), and the settings their chat-completions names.
 */
export function chatRequestOf(body: ResponsesBody, items: readonly InputItem[]): ChatRequest {
  const messages: Message[] = [];
  if (body.instructions) messages.push({ role: "system", content: body.instructions });
  messages.push(...messagesOf(items));
  const request: ChatRequest = { messages };
  if (body.tools?.length) request.tools = body.tools.map(toolOf);
  if (body.tool_choice) request.tool_choice = toolChoiceOf(body.tool_choice);
  if (typeof body.parallel_tool_calls === "boolean") request.parallel_tool_calls = body.parallel_tool_calls;
  const format = responseFormatOf(body.text?.format);
  if (format) request.response_format = format;
  if (body.reasoning?.effort) request.reasoning_effort = body.reasoning.effort;
  if (typeof body.max_output_tokens === "number") request.max_completion_tokens = body.max_output_tokens;
  if (typeof body.temperature === "number") request.temperature = body.temperature;
  if (typeof body.top_p === "number") request.top_p = body.top_p;
  if (body.user) request.user = body.user;
  return request;
}

/** `input` as items: a string is one user message. */
export function inputItems(input: ResponsesBody["input"]): InputItem[] {
  return typeof input === "string" ? [{ role: "user", content: input }] : input;
}

function messagesOf(items: readonly InputItem[]): Message[] {
  const out: Message[] = [];
  for (const item of items) {
    // References are resolved before (resolveReferences); reasoning is context no upstream takes.
    if (item.type === "reasoning" || item.type === "item_reference") continue;
    if (item.type === "function_call") {
      const call = {
        id: item.call_id,
        type: "function" as const,
        function: { name: item.name, arguments: item.arguments },
      };
      const last = out.at(-1);
      // Calls made in one turn are one assistant message, as chat completions expects them.
      if (last?.role === "assistant") last.tool_calls = [...(last.tool_calls ?? []), call];
      else out.push({ role: "assistant", content: null, tool_calls: [call] });
      continue;
    }
    if (item.type === "function_call_output") {
      const output = typeof item.output === "string" ? item.output : item.output.map(partOf);
      out.push({ role: "tool", tool_call_id: item.call_id, content: output });
      continue;
    }
    if (item.role === "assistant") {
      const text = typeof item.content === "string" ? item.content : item.content.map(textOf).join("");
      out.push({ role: "assistant", content: text });
      continue;
    }
    out.push({ role: item.role, content: typeof item.content === "string" ? item.content : item.content.map(partOf) });
  }
  return out;
}

type Part = Exclude<Extract<InputItem, { role: string }>["content"], string>[number];

function partOf(part: Part): ContentPart {
  if (part.type === "input_image")
    return { type: "image_url", image_url: { url: part.image_url, ...(part.detail ? { detail: part.detail } : {}) } };
  return { type: "text", text: textOf(part) };
}

function textOf(part: Part): string {
  if (part.type === "refusal") return part.refusal;
  return part.type === "input_image" ? "" : part.text;
}

function toolOf(tool: NonNullable<ResponsesBody["tools"]>[number]): ToolDefinition {
  return {
    type: "function",
    function: {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      ...(tool.parameters ? { parameters: tool.parameters } : {}),
      ...(typeof tool.strict === "boolean" ? { strict: tool.strict } : {}),
    },
  };
}

function toolChoiceOf(choice: NonNullable<ResponsesBody["tool_choice"]>): ToolChoice {
  return typeof choice === "string" ? choice : { type: "function", function: { name: choice.name } };
}

function responseFormatOf(format: NonNullable<ResponsesBody["text"]>["format"]): ResponseFormat | undefined {
  if (!format || format.type === "text") return undefined;
  if (format.type === "json_object") return { type: "json_object" };
  return {
    type: "json_schema",
    json_schema: {
      name: format.name,
      schema: format.schema,
      ...(format.description ? { description: format.description } : {}),
      ...(typeof format.strict === "boolean" ? { strict: format.strict } : {}),
    },
  };
}
