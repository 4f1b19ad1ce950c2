import { UpstreamError } from "../../core/errors/upstream-error.ts";
import type { ToolCall } from "../../core/types.ts";
import type { DriverStreamEvent } from "../provider-driver.ts";
import { anthropicUsage, assistantMessage, finishReason } from "./anthropic-result.ts";

type Json = Record<string, any>;

/**
 * Messages API stream events as lmx deltas (text, tool-call fragments) and a final `done` with the
 * assembled message and the usage from message_start and message_delta.
 */
export async function* anthropicStreamEvents(options: { events: AsyncIterable<unknown>; provider: string; signal: AbortSignal; json?: boolean }): AsyncGenerator<DriverStreamEvent> {
  const { events, provider, signal } = options;
  let message: Json | undefined;
  let usage: Json = {};
  let stop: string | undefined;
  let stopped = false;
  let text = "";
  let thinking = "";
  const calls: ToolCall[] = [];
  /** Content-block index → position in `calls`, for input_json_delta fragments. */
  const toolAt = new Map<number, number>();

  for await (const raw of events) {
    const e = raw as Json;
    if (e.type === "message_start") {
      message = e.message;
      usage = { ...e.message?.usage };
    } else if (e.type === "content_block_start") {
      const block = e.content_block ?? {};
      if (block.type === "tool_use") {
        const k = calls.push({ id: block.id, type: "function", function: { name: block.name, arguments: "" } }) - 1;
        toolAt.set(e.index, k);
        yield { type: "delta", index: 0, tool_calls: [{ index: k, id: block.id, type: "function", function: { name: block.name, arguments: "" } }] };
      } else if (block.type === "text" && block.text) {
        text += block.text;
        yield { type: "delta", index: 0, content: block.text };
      }
    } else if (e.type === "content_block_delta") {
      const d = e.delta ?? {};
      if (d.type === "text_delta" && d.text) {
        text += d.text;
        yield { type: "delta", index: 0, content: d.text };
      } else if (d.type === "input_json_delta" && d.partial_json) {
        const k = toolAt.get(e.index);
        if (k === undefined) continue;
        calls[k]!.function.arguments += d.partial_json;
        yield { type: "delta", index: 0, tool_calls: [{ index: k, function: { arguments: d.partial_json } }] };
      } else if (d.type === "thinking_delta" && d.thinking) thinking += d.thinking;
    } else if (e.type === "message_delta") {
      stop = e.delta?.stop_reason ?? stop;
      // message_delta usage is cumulative and may restate input figures.
      for (const [key, value] of Object.entries(e.usage ?? {})) if (value != null) usage[key] = value;
    } else if (e.type === "message_stop") stopped = true;
  }
  // The SDK ends a stream quietly when its signal fires; a cut-short answer must not look complete.
  if (signal.aborted) throw new UpstreamError({ provider, failure: "aborted", message: "the stream was aborted", cause: signal.reason });
  if (!message || !stopped) throw new UpstreamError({ provider, failure: "malformed", message: `the event stream ended without ${message ? "message_stop" : "message_start"}` });
  // Tool inputs stream as JSON text; a tool without input fragments has the empty object as input.
  for (const c of calls) if (c.function.arguments === "") c.function.arguments = "{}";
  yield {
    type: "done",
    result: {
      choices: [{ index: 0, message: assistantMessage({ text, thinking, calls, json: options.json }), finish_reason: finishReason(stop) }],
      usage: anthropicUsage(usage),
      id: message.id,
      model: message.model,
    },
  };
}
