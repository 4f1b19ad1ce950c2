import type {
  LanguageModelV3CallOptions,
  LanguageModelV3FilePart,
  LanguageModelV3Prompt,
  LanguageModelV3ToolResultOutput,
  SharedV3Warning,
} from "@ai-sdk/provider";
import type { ChatRequest, ContentPart, Message, ToolDefinition } from "../core/types.ts";

/**
 * AI SDK call options → an OpenAI-shaped ChatRequest: the prompt as messages (files as image_url,
 * input_audio or file parts; tool calls and results as OpenAI tool messages), tools, tool choice,
 * response format and sampling settings. What has no OpenAI field is reported as a warning.
 */
export function requestFromV3(options: LanguageModelV3CallOptions): {
  request: ChatRequest;
  warnings: SharedV3Warning[];
} {
  const warnings: SharedV3Warning[] = [];
  const request: ChatRequest = { messages: messagesFromV3(options.prompt) };
  const set = <K extends string>(key: K, value: unknown) => {
    if (value !== undefined) request[key] = value;
  };
  set("max_tokens", options.maxOutputTokens);
  set("temperature", options.temperature);
  set("top_p", options.topP);
  set("stop", options.stopSequences?.length ? options.stopSequences : undefined);
  set("seed", options.seed);
  set("presence_penalty", options.presencePenalty);
  set("frequency_penalty", options.frequencyPenalty);
  if (options.topK !== undefined)
    warnings.push({ type: "unsupported", feature: "topK", details: "OpenAI-shaped requests have no top_k" });
  const format = options.responseFormat;
  if (format?.type === "json")
    request.response_format = format.schema
      ? {
          type: "json_schema",
          json_schema: {
            name: format.name ?? "response",
            schema: format.schema as Record<string, unknown>,
            ...(format.description ? { description: format.description } : {}),
          },
        }
      : { type: "json_object" };
  const tools: ToolDefinition[] = [];
  for (const tool of options.tools ?? []) {
    if (tool.type !== "function") {
      warnings.push({ type: "unsupported", feature: `provider tool ${tool.name}` });
      continue;
    }
    tools.push({
      type: "function",
      function: {
        name: tool.name,
        ...(tool.description ? { description: tool.description } : {}),
        parameters: tool.inputSchema as Record<string, unknown>,
        ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
      },
    });
  }
  if (tools.length) request.tools = tools;
  const choice = options.toolChoice;
  if (choice)
    request.tool_choice =
      choice.type === "tool" ? { type: "function", function: { name: choice.toolName } } : choice.type;
  return { request, warnings };
}

function messagesFromV3(prompt: LanguageModelV3Prompt): Message[] {
  const out: Message[] = [];
  for (const m of prompt) {
    if (m.role === "system") out.push({ role: "system", content: m.content });
    else if (m.role === "user") {
      const parts = m.content.map((p): ContentPart =>
        p.type === "text" ? { type: "text", text: p.text } : filePart(p),
      );
      out.push({
        role: "user",
        content: parts.length === 1 && parts[0]!.type === "text" ? (parts[0] as { text: string }).text : parts,
      });
    } else if (m.role === "assistant") {
      let text = "";
      const calls: NonNullable<Message["tool_calls"]> = [];
      for (const p of m.content) {
        if (p.type === "text") text += p.text;
        else if (p.type === "tool-call" && !p.providerExecuted)
          calls.push({
            id: p.toolCallId,
            type: "function",
            function: {
              name: p.toolName,
              arguments: typeof p.input === "string" ? p.input : JSON.stringify(p.input ?? {}),
            },
          });
      }
      out.push({
        role: "assistant",
        content: text || (calls.length ? null : ""),
        ...(calls.length ? { tool_calls: calls } : {}),
      });
    } else {
      for (const p of m.content)
        if (p.type === "tool-result")
          out.push({ role: "tool", tool_call_id: p.toolCallId, content: outputText(p.output) });
    }
  }
  return out;
}

/** A file of a user message as the OpenAI part that carries that kind of file. */
function filePart(p: LanguageModelV3FilePart): ContentPart {
  const { mediaType } = p;
  if (mediaType.startsWith("image/"))
    return { type: "image_url", image_url: { url: p.data instanceof URL ? p.data.href : dataUrl(p.data, mediaType) } };
  if (
    (mediaType === "audio/wav" || mediaType === "audio/mpeg" || mediaType === "audio/mp3") &&
    !(p.data instanceof URL)
  )
    return {
      type: "input_audio",
      input_audio: { data: base64(p.data), format: mediaType === "audio/wav" ? "wav" : "mp3" },
    };
  if (p.data instanceof URL)
    return { type: "file", file: { file_url: p.data.href, ...(p.filename ? { filename: p.filename } : {}) } };
  return { type: "file", file: { file_data: dataUrl(p.data, mediaType), filename: p.filename ?? "file" } };
}

function outputText(output: LanguageModelV3ToolResultOutput): string {
  switch (output.type) {
    case "text":
    case "error-text":
      return output.value;
    case "json":
    case "error-json":
      return JSON.stringify(output.value);
    case "execution-denied":
      return output.reason ?? "the tool call was denied";
    default:
      return JSON.stringify("value" in output ? output.value : output);
  }
}

function base64(data: string | Uint8Array): string {
  return typeof data === "string" ? data : Buffer.from(data).toString("base64");
}

function dataUrl(data: string | Uint8Array, mediaType: string): string {
  return typeof data === "string" && data.startsWith("data:") ? data : `data:${mediaType};base64,${base64(data)}`;
}
