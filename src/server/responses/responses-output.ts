import type { ChatResult, StreamEvent, Usage } from "../../core/types.ts";
import { wireFinishReason } from "../wire-finish-reason.ts";
import { itemId } from "./response-ids.ts";

export type OutputItem =
  | { type: "reasoning"; id: string; summary: { type: "summary_text"; text: string }[] }
  | {
      type: "message";
      id: string;
      status: "in_progress" | "completed" | "incomplete";
      role: "assistant";
      content: { type: "output_text"; text: string; annotations: []; logprobs: [] }[];
    }
  | {
      type: "function_call";
      id: string;
      call_id: string;
      name: string;
      arguments: string;
      status: "in_progress" | "completed" | "incomplete";
    };

export type ResponsesEvent = { type: string; sequence_number: number; [key: string]: unknown };

/** `usage` as the Responses API reports it, for every call a request made. */
export function responsesUsage(usage: Usage) {
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: usage.cached_tokens },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: usage.reasoning_tokens ?? 0 },
    total_tokens: usage.total_tokens,
  };
}

/**
 * How a run ended, in the API's terms: a length or budget stop is `incomplete` for `max_output_tokens`,
 * a content filter `incomplete` for `content_filter`, anything else `completed`; lmx's own reason
 * (budget, partial, aborted, no_answer) rides apart.
 */
export function responseStatus(result: ChatResult) {
  const { finish_reason, lmx } = wireFinishReason(result.choices[0]?.finish_reason ?? "stop");
  const reason =
    finish_reason === "length"
      ? "max_output_tokens"
      : finish_reason === "content_filter"
        ? "content_filter"
        : undefined;
  return {
    status: reason ? ("incomplete" as const) : ("completed" as const),
    incomplete_details: reason ? { reason } : null,
    lmx,
  };
}

type Open = { kind: OutputItem["type"]; index: number; text: string; tool?: number };

/**
 * Builds a response's output items from an LM's stream events (the first choice; the API has no `n`),
 * yielding the Responses event sequence as it goes: an item opens with `output_item.added` (and its
 * content part), grows by deltas and closes with its `.done` events when another kind of output starts
 * or the run ends. Whatever of the final result was not streamed (a technique that answered at once,
 * or a JSON answer) is sent whole at the end, so the output is built one way for both.
 */
export class ResponsesWriter {
  readonly output: OutputItem[] = [];
  private seq = 0;
  private open: Open | undefined;
  private readonly tools = new Map<number, number>();
  private readonly streamed = new Set<OutputItem["type"]>();

  constructor(private readonly base: string) {}

  /** An event with its sequence number. */
  event(type: string, fields: Record<string, unknown> = {}): ResponsesEvent {
    return { type, sequence_number: this.seq++, ...fields };
  }

  delta(event: Extract<StreamEvent, { type: "delta" }>): ResponsesEvent[] {
    if (event.index !== 0) return [];
    const out: ResponsesEvent[] = [];
    if (event.reasoning) out.push(...this.text("reasoning", event.reasoning));
    if (event.content) out.push(...this.text("message", event.content));
    for (const call of event.tool_calls ?? []) {
      let index = this.tools.get(call.index);
      if (index === undefined) {
        out.push(...this.close());
        index = this.output.length;
        this.tools.set(call.index, index);
        this.streamed.add("function_call");
        out.push(
          ...this.openItem({
            type: "function_call",
            id: itemId("fc", this.base, index),
            call_id: call.id ?? `call_${this.base}_${index}`,
            name: call.function?.name ?? "",
            arguments: "",
            status: "in_progress",
          }),
        );
      }
      const item = this.output[index] as Extract<OutputItem, { type: "function_call" }>;
      const piece = call.function?.arguments ?? "";
      if (!piece) continue;
      item.arguments += piece;
      out.push(
        this.event("response.function_call_arguments.delta", { item_id: item.id, output_index: index, delta: piece }),
      );
    }
    return out;
  }

  /** Closes what is open and sends what the result holds that was not streamed. */
  finish(result: ChatResult): ResponsesEvent[] {
    const out = this.close();
    const message = result.choices[0]?.message;
    if (!message) return out;
    if (message.reasoning_content && !this.streamed.has("reasoning"))
      out.push(...this.text("reasoning", message.reasoning_content), ...this.close());
    const calls = message.tool_calls ?? [];
    const text = typeof message.content === "string" ? message.content : "";
    if (!this.streamed.has("message") && (text || !calls.length))
      out.push(...this.text("message", text), ...this.close());
    if (!this.streamed.has("function_call"))
      calls.forEach((call, k) =>
        out.push(
          ...this.delta({
            type: "delta",
            index: 0,
            tool_calls: [
              { index: k, id: call.id, function: { name: call.function.name, arguments: call.function.arguments } },
            ],
          }),
          ...this.close(),
        ),
      );
    return out;
  }

  private text(kind: "reasoning" | "message", piece: string): ResponsesEvent[] {
    const out: ResponsesEvent[] = [];
    if (this.open?.kind !== kind) {
      out.push(...this.close());
      const index = this.output.length;
      this.streamed.add(kind);
      if (kind === "reasoning") {
        out.push(...this.openItem({ type: "reasoning", id: itemId("rs", this.base, index), summary: [] }));
        out.push(
          this.event("response.reasoning_summary_part.added", {
            item_id: this.output[index]!.id,
            output_index: index,
            summary_index: 0,
            part: { type: "summary_text", text: "" },
          }),
        );
      } else {
        out.push(
          ...this.openItem({
            type: "message",
            id: itemId("msg", this.base, index),
            status: "in_progress",
            role: "assistant",
            content: [],
          }),
        );
        out.push(
          this.event("response.content_part.added", {
            item_id: this.output[index]!.id,
            output_index: index,
            content_index: 0,
            part: outputText(""),
          }),
        );
      }
    }
    const open = this.open!;
    open.text += piece;
    const item_id = this.output[open.index]!.id;
    // An empty answer is still a message, with no delta to send.
    if (piece)
      out.push(
        kind === "reasoning"
          ? this.event("response.reasoning_summary_text.delta", {
              item_id,
              output_index: open.index,
              summary_index: 0,
              delta: piece,
            })
          : this.event("response.output_text.delta", {
              item_id,
              output_index: open.index,
              content_index: 0,
              delta: piece,
              logprobs: [],
            }),
      );
    return out;
  }

  private openItem(item: OutputItem): ResponsesEvent[] {
    const index = this.output.length;
    this.output.push(item);
    this.open = { kind: item.type, index, text: "" };
    return [this.event("response.output_item.added", { output_index: index, item: structuredClone(item) })];
  }

  private close(): ResponsesEvent[] {
    const open = this.open;
    if (!open) return [];
    this.open = undefined;
    const output_index = open.index;
    const item = this.output[output_index]!;
    const out: ResponsesEvent[] = [];
    if (item.type === "reasoning") {
      const part = { type: "summary_text" as const, text: open.text };
      item.summary = [part];
      out.push(
        this.event("response.reasoning_summary_text.done", {
          item_id: item.id,
          output_index,
          summary_index: 0,
          text: open.text,
        }),
      );
      out.push(
        this.event("response.reasoning_summary_part.done", { item_id: item.id, output_index, summary_index: 0, part }),
      );
    } else if (item.type === "message") {
      item.status = "completed";
      item.content = [outputText(open.text)];
      out.push(
        this.event("response.output_text.done", {
          item_id: item.id,
          output_index,
          content_index: 0,
          text: open.text,
          logprobs: [],
        }),
      );
      out.push(
        this.event("response.content_part.done", {
          item_id: item.id,
          output_index,
          content_index: 0,
          part: outputText(open.text),
        }),
      );
    } else {
      item.status = "completed";
      // Later calls of the same turn open their own items.
      out.push(
        this.event("response.function_call_arguments.done", {
          item_id: item.id,
          output_index,
          name: item.name,
          arguments: item.arguments,
        }),
      );
    }
    out.push(this.event("response.output_item.done", { output_index, item: structuredClone(item) }));
    return out;
  }
}

function outputText(text: string) {
  return { type: "output_text" as const, text, annotations: [] as [], logprobs: [] as [] };
}
