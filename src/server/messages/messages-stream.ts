import type Anthropic from "@anthropic-ai/sdk";
import type { ChatResult, StreamEvent } from "../../core/types.ts";
import { errorResponse } from "../error-response.ts";
import { eventStreamResponse, sseFrame } from "../event-stream-response.ts";
import { accounting } from "../openai-shapes.ts";
import type { ChatRun } from "../request-run.ts";
import { anthropicErrorBody } from "./messages-error.ts";
import { anthropicStopReason, anthropicUsage, messageId, toolInput } from "./messages-response.ts";

type Delta = Extract<StreamEvent, { type: "delta" }>;
type Open = { kind: "thinking" | "text" } | { kind: "tool"; call: number };

/** An Anthropic stream event as its SSE frame (`event: <type>`, as Anthropic sends them and its SDK requires). */
function frame(event: { type: string; [key: string]: unknown }): string {
  return sseFrame(event, event.type);
}

/**
 * Streams a run as Anthropic Messages events: message_start and a ping, then content blocks as the
 * LM's deltas arrive (thinking_delta, text_delta, input_json_delta, a new block whenever the kind
 * changes), whatever of the final result was not streamed (a technique that answered at once) as
 * whole blocks, then message_delta (stop_reason, usage of every call, lmx's accounting) and
 * message_stop. Progress reports are ping events with an `lmx` field; a failure is an `error` event.
 */
export function messagesStreamResponse(run: ChatRun): Promise<Response> {
  const { ctx } = run;
  const id = messageId(`lmx-${ctx.span.id}`);
  let index = -1;
  let open: Open | undefined;
  /** OpenAI tool-call index → the index of its tool_use block. */
  const toolBlocks = new Map<number, number>();
  const streamed = { thinking: false, text: false, tools: false };

  const stop = (): string[] => {
    if (!open) return [];
    open = undefined;
    return [frame({ type: "content_block_stop", index })];
  };
  const start = (next: Open, block: Anthropic.RawContentBlockStartEvent["content_block"]): string[] => {
    const out = stop();
    index++;
    open = next;
    out.push(frame({ type: "content_block_start", index, content_block: block }));
    return out;
  };
  const thinking = (text: string): string[] => [
    ...(open?.kind === "thinking"
      ? []
      : start({ kind: "thinking" }, { type: "thinking", thinking: "", signature: "" })),
    frame({ type: "content_block_delta", index, delta: { type: "thinking_delta", thinking: text } }),
  ];
  const text = (t: string): string[] => [
    ...(open?.kind === "text" ? [] : start({ kind: "text" }, { type: "text", text: "", citations: null })),
    frame({ type: "content_block_delta", index, delta: { type: "text_delta", text: t } }),
  ];
  const tool = (call: number, o: { id?: string; name?: string; args?: string }): string[] => {
    const out: string[] = [];
    if (!toolBlocks.has(call)) {
      out.push(
        ...start(
          { kind: "tool", call },
          {
            type: "tool_use",
            id: o.id || `toolu_${ctx.span.id}_${call}`,
            name: o.name ?? "",
            input: {},
            caller: { type: "direct" },
          },
        ),
      );
      toolBlocks.set(call, index);
    }
    // A fragment goes to its own call's block, even when another block came in between.
    if (o.args)
      out.push(
        frame({
          type: "content_block_delta",
          index: toolBlocks.get(call),
          delta: { type: "input_json_delta", partial_json: o.args },
        }),
      );
    return out;
  };

  function delta(event: Delta): string[] {
    // The Messages API answers one message: only the first choice is streamed.
    if (event.index !== 0) return [];
    const out: string[] = [];
    if (event.reasoning) {
      streamed.thinking = true;
      out.push(...thinking(event.reasoning));
    }
    if (event.content) {
      streamed.text = true;
      out.push(...text(event.content));
    }
    for (const t of event.tool_calls ?? []) {
      streamed.tools = true;
      out.push(...tool(t.index, { id: t.id, name: t.function?.name, args: t.function?.arguments }));
    }
    return out;
  }

  function finish(result: ChatResult): string[] {
    const choice = result.choices[0];
    const out: string[] = [];
    const m = choice?.message;
    if (m?.reasoning_content && !streamed.thinking) out.push(...thinking(m.reasoning_content));
    if (m?.content && !streamed.text) out.push(...text(m.content));
    if (!streamed.tools)
      (m?.tool_calls ?? []).forEach((call, k) =>
        // Parsed and re-written: a tool input that is no JSON object fails here, not in the client.
        out.push(
          ...tool(k, { id: call.id, name: call.function.name, args: JSON.stringify(toolInput(call, run.lm.id)) }),
        ),
      );
    out.push(...stop());
    const usage = { ...ctx.span.total };
    const { stop_reason, lmx } = anthropicStopReason(choice?.finish_reason ?? "stop");
    const { cache_creation_input_tokens, cache_read_input_tokens, input_tokens, output_tokens, output_tokens_details } =
      anthropicUsage(usage);
    out.push(
      frame({
        type: "message_delta",
        delta: {
          stop_reason,
          stop_sequence: null,
          stop_details: null,
          container: null,
          ...(lmx ? { lmx_finish_reason: lmx } : {}),
        },
        usage: {
          input_tokens,
          output_tokens,
          cache_read_input_tokens,
          cache_creation_input_tokens,
          output_tokens_details,
          server_tool_use: null,
        },
        lmx: accounting(usage, ctx.span.traceId),
      }),
      frame({ type: "message_stop" }),
    );
    return out;
  }

  const started: Anthropic.Message = {
    id,
    type: "message",
    role: "assistant",
    model: run.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: anthropicUsage({ ...ctx.span.total, prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0 }),
  };
  return eventStreamResponse(run, {
    open: () => [frame({ type: "message_start", message: started }), frame({ type: "ping" })],
    render(event) {
      if (event.type === "delta") return delta(event);
      if (event.type === "progress") return [frame({ type: "ping", lmx: { progress: event.data } })];
      return finish(event.result);
    },
    close: () => [],
    fail: (error) => [frame(anthropicErrorBody(errorResponse(error, { secrets: run.secrets })))],
  });
}
