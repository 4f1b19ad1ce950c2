import type { ChatRequest, ToolCall } from "../../core/types.ts";
import { estimateUsage } from "../openai/estimate-usage.ts";
import { isObject, malformedFor } from "../openai/openai-result.ts";
import { UpstreamError } from "../../core/errors/upstream-error.ts";
import type { DriverStreamEvent } from "../provider-driver.ts";
import {
  anthropicUsage,
  assistantMessage,
  finishReason,
  stopReason,
  stringField,
  toolUse,
} from "./anthropic-result.ts";

type Json = Record<string, any>;

/**
 * Messages API stream events as lmx deltas (text, thinking as reasoning, tool-call fragments) and a final `done` with the
 * assembled message and the usage from message_start and message_delta. Events of the wrong shape
 * are "malformed" UpstreamErrors.
 */
export async function* anthropicStreamEvents(options: {
  events: AsyncIterable<unknown>;
  request: ChatRequest;
  provider: string;
  signal: AbortSignal;
  json?: boolean;
}): AsyncGenerator<DriverStreamEvent> {
  const { events, provider, signal } = options;
  const malformed = malformedFor(provider);
  let message: Json | undefined;
  let usage: Json = {};
  let stop: string | undefined;
  let stopped = false;
  let text = "";
  let thinking = "";
  const calls: ToolCall[] = [];
  /** Content-block index → its signed thinking block, signatures arriving as signature_delta. */
  const signed = new Map<unknown, Json>();
  /** Content-block index → position in `calls`, for input_json_delta fragments. */
  const toolAt = new Map<unknown, number>();

  for await (const raw of events) {
    if (!isObject(raw)) throw malformed("a stream event was not a JSON object");
    const e = raw as Json;
    if (e.type === "message_start") {
      if (!isObject(e.message) || (e.message.usage != null && !isObject(e.message.usage)))
        throw malformed("message_start has no message object");
      message = e.message;
      usage = { ...e.message.usage };
    } else if (e.type === "content_block_start") {
      const block = e.content_block ?? {};
      if (!isObject(block)) throw malformed("content_block_start has no content_block object");
      if (block.type === "tool_use") {
        const call = toolUse({ ...block, input: undefined }, malformed, "a streamed tool_use block");
        call.function.arguments = "";
        const k = calls.push(call) - 1;
        toolAt.set(e.index, k);
        yield {
          type: "delta",
          index: 0,
          tool_calls: [
            { index: k, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } },
          ],
        };
      } else if (block.type === "redacted_thinking" && typeof block.data === "string") {
        signed.set(e.index, { type: "redacted_thinking", data: block.data });
      } else if (block.type === "thinking") {
        const t = stringField(block.thinking, malformed, "a streamed thinking block");
        signed.set(e.index, {
          type: "thinking",
          thinking: t,
          signature: stringField(block.signature, malformed, "a signature"),
        });
        thinking += t;
        if (t) yield { type: "delta", index: 0, reasoning: t };
      } else if (block.type === "text") {
        const t = stringField(block.text, malformed, "a streamed text block");
        text += t;
        if (t) yield { type: "delta", index: 0, content: t };
      }
    } else if (e.type === "content_block_delta") {
      const d = e.delta ?? {};
      if (!isObject(d)) throw malformed("content_block_delta has no delta object");
      if (d.type === "text_delta") {
        const t = stringField(d.text, malformed, "a text_delta");
        text += t;
        if (t) yield { type: "delta", index: 0, content: t };
      } else if (d.type === "input_json_delta") {
        const part = stringField(d.partial_json, malformed, "an input_json_delta");
        const k = toolAt.get(e.index);
        if (k === undefined || !part) continue;
        calls[k]!.function.arguments += part;
        yield { type: "delta", index: 0, tool_calls: [{ index: k, function: { arguments: part } }] };
      } else if (d.type === "signature_delta") {
        const block = signed.get(e.index);
        if (block?.type === "thinking") block.signature += stringField(d.signature, malformed, "a signature_delta");
      } else if (d.type === "thinking_delta") {
        const t = stringField(d.thinking, malformed, "a thinking_delta");
        thinking += t;
        const block = signed.get(e.index);
        if (block?.type === "thinking") block.thinking += t;
        if (t) yield { type: "delta", index: 0, reasoning: t };
      }
    } else if (e.type === "message_delta") {
      if (e.delta != null && !isObject(e.delta)) throw malformed("message_delta's delta is not an object");
      if (e.usage != null && !isObject(e.usage)) throw malformed("message_delta's usage is not an object");
      stop = stopReason(e.delta?.stop_reason, malformed) ?? stop;
      // message_delta usage is cumulative and may restate input figures.
      for (const [key, value] of Object.entries(e.usage ?? {})) if (value != null) usage[key] = value;
    } else if (e.type === "message_stop") stopped = true;
  }
  // The SDK ends a stream quietly when its signal fires; a cut-short answer must not look complete.
  if (signal.aborted)
    throw new UpstreamError({ provider, failure: "aborted", message: "the stream was aborted", cause: signal.reason });
  if (!message || !stopped)
    throw malformed(`the event stream ended without ${message ? "message_stop" : "message_start"}`);
  // Tool inputs stream as JSON text; a tool without input fragments has the empty object as input.
  for (const c of calls) if (c.function.arguments === "") c.function.arguments = "{}";
  const choices = [
    {
      index: 0,
      message: assistantMessage({
        text,
        thinking,
        calls,
        json: options.json,
        signed: [...signed.values()].filter((b) => b.type === "redacted_thinking" || b.signature),
      }),
      finish_reason: finishReason(stop),
    },
  ];
  yield {
    type: "done",
    result: {
      choices,
      usage: anthropicUsage(usage, () => estimateUsage({ request: options.request, choices }), thinking),
      id: typeof message.id === "string" ? message.id : undefined,
      model: typeof message.model === "string" ? message.model : undefined,
    },
  };
}
