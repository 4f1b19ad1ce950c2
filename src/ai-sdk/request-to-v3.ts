import type {
  LanguageModelV3CallOptions,
  LanguageModelV3FilePart,
  LanguageModelV3Message,
  LanguageModelV3TextPart,
} from "@ai-sdk/provider";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import { contentText } from "../core/messages.ts";
import { completionCap } from "../providers/completion-cap.ts";
import type { ChatRequest, ContentPart, Message } from "../core/types.ts";

/**
 * An OpenAI-shaped ChatRequest → AI SDK call options: messages as a V3 prompt (image, audio and file
 * parts as file parts; tool calls and tool messages as tool-call / tool-result parts), tools,
 * tool choice, response format and sampling settings. A part with no V3 form is an InvalidRequestError.
 */
export function requestToV3(request: ChatRequest, signal?: AbortSignal): LanguageModelV3CallOptions {
  const names = new Map<string, string>();
  for (const m of request.messages) for (const t of m.tool_calls ?? []) names.set(t.id, t.function.name);
  const options: LanguageModelV3CallOptions = {
    prompt: request.messages.map((m, i) => messageToV3(m, i, names)),
    abortSignal: signal,
  };
  const max = completionCap(request);
  if (max !== undefined) options.maxOutputTokens = max;
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.top_p !== undefined) options.topP = request.top_p;
  if (typeof request.top_k === "number") options.topK = request.top_k;
  if (request.stop != null) options.stopSequences = typeof request.stop === "string" ? [request.stop] : request.stop;
  if (request.seed !== undefined) options.seed = request.seed;
  if (request.presence_penalty !== undefined) options.presencePenalty = request.presence_penalty;
  if (request.frequency_penalty !== undefined) options.frequencyPenalty = request.frequency_penalty;
  const format = request.response_format;
  if (format?.type === "json_object") options.responseFormat = { type: "json" };
  else if (format?.type === "json_schema")
    options.responseFormat = {
      type: "json",
      schema: format.json_schema.schema as never,
      name: format.json_schema.name,
      description: format.json_schema.description,
    };
  if (request.tools?.length)
    options.tools = request.tools.map((t) => ({
      type: "function" as const,
      name: t.function.name,
      description: t.function.description,
      inputSchema: (t.function.parameters ?? { type: "object", properties: {} }) as never,
      ...(t.function.strict !== undefined ? { strict: t.function.strict } : {}),
    }));
  const choice = request.tool_choice;
  if (choice)
    options.toolChoice =
      typeof choice === "string" ? { type: choice } : { type: "tool", toolName: choice.function.name };
  // Carried by lmxMiddleware under `lmx` (which OpenAI-compatible upstreams never see), so the
  // wrapped model still gets the caller's provider options and headers.
  const carried = (
    request.lmx as { ai_sdk?: Pick<LanguageModelV3CallOptions, "providerOptions" | "headers"> } | undefined
  )?.ai_sdk;
  if (carried?.providerOptions) options.providerOptions = carried.providerOptions;
  if (carried?.headers) options.headers = carried.headers;
  return options;
}

function messageToV3(m: Message, i: number, names: Map<string, string>): LanguageModelV3Message {
  switch (m.role) {
    case "system":
    case "developer":
      return { role: "system", content: contentText(m.content) };
    case "user":
      return {
        role: "user",
        content:
          typeof m.content === "string"
            ? [{ type: "text", text: m.content }]
            : (m.content ?? []).map((p, j) => partToV3(p, `messages[${i}].content[${j}]`)),
      };
    case "assistant": {
      const content: Extract<LanguageModelV3Message, { role: "assistant" }>["content"] = [];
      const text = contentText(m.content);
      if (text) content.push({ type: "text", text });
      for (const t of m.tool_calls ?? [])
        content.push({
          type: "tool-call",
          toolCallId: t.id,
          toolName: t.function.name,
          input: parseArguments(t.function.arguments),
        });
      return { role: "assistant", content };
    }
    case "tool": {
      const id = m.tool_call_id ?? "";
      return {
        role: "tool",
        content: [
          {
            type: "tool-result",
            toolCallId: id,
            toolName: names.get(id) ?? m.name ?? "tool",
            output: { type: "text", value: contentText(m.content) },
          },
        ],
      };
    }
    default:
      throw new InvalidRequestError(`messages[${i}]: role "${String(m.role)}" has no AI SDK form`, {
        param: `messages[${i}].role`,
      });
  }
}

function partToV3(p: ContentPart, param: string): LanguageModelV3TextPart | LanguageModelV3FilePart {
  const part = p as Record<string, any>;
  if (part.type === "text") return { type: "text", text: String(part.text ?? "") };
  if (part.type === "image_url") return fileFromUrl(String(part.image_url?.url ?? ""), "image/*");
  if (part.type === "input_audio")
    return {
      type: "file",
      mediaType: part.input_audio?.format === "wav" ? "audio/wav" : "audio/mpeg",
      data: String(part.input_audio?.data ?? ""),
    };
  if (part.type === "file" && typeof part.file?.file_data === "string")
    return { ...fileFromUrl(part.file.file_data, "application/octet-stream"), filename: part.file.filename };
  throw new InvalidRequestError(`${param}: a "${String(part.type)}" part has no AI SDK form`, { param });
}

/** `data:` URLs become inline base64 with their media type; other URLs stay URLs. */
function fileFromUrl(url: string, fallbackType: string): LanguageModelV3FilePart {
  const data = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(url);
  if (data)
    return {
      type: "file",
      mediaType: data[1] ?? fallbackType,
      data: data[2] ? data[3]! : Buffer.from(decodeURIComponent(data[3]!)).toString("base64"),
    };
  return { type: "file", mediaType: fallbackType, data: new URL(url) };
}

/** Tool arguments are JSON text in OpenAI's shape and a value in the AI SDK's. */
function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
