import type { ChatResult, StreamEvent } from "../../core/types.ts";
import { eventStreamResponse, sseFrame } from "../event-stream-response.ts";
import type { ChatRun } from "../request-run.ts";
import { openaiErrorFrames, withAccounting } from "../sse-response.ts";
import { echoed, type CompletionsState } from "./completions-request.ts";
import { completionId, textFinishFields } from "./completions-response.ts";

/**
 * Streams a run as the Completions API's server-sent events: `text_completion` chunks whose
 * `choices` hold `{text, index, logprobs: null, finish_reason}`. Answer text is forwarded as it
 * arrives (reasoning and tool-call deltas are not completion text); a choice's last chunk carries
 * whatever of its text was not streamed (a technique that answered at once) and its finish reason.
 * As on chat completions: progress rides in an `lmx` field of chunks with empty `choices`, the last
 * chunk (the usage chunk when `stream_options.include_usage`) carries lmx's accounting, `[DONE]` ends
 * the stream and a failure after it started is an `error` event.
 */
export function completionsStreamResponse(run: ChatRun, state: CompletionsState): Promise<Response> {
  const { ctx } = run;
  const id = completionId(`lmx-${ctx.span.id}`);
  const created = Math.floor(Date.now() / 1000);
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
    id,
    object: "text_completion" as const,
    created,
    model: run.model,
    choices,
    ...extra,
  });
  /** Choices whose text has started (after the echoed prompt, which only their first piece carries). */
  const started = new Set<number>();
  const text = (index: number, piece: string): string => {
    if (started.has(index)) return piece;
    started.add(index);
    return echoed(state, index) + piece;
  };
  const frames = (chunks: object[]) => chunks.map((c) => sseFrame(c));

  function finish(result: ChatResult): object[] {
    const chunks: object[] = result.choices.map((c) =>
      chunk([
        {
          text: started.has(c.index) ? "" : text(c.index, c.message.content ?? ""),
          index: c.index,
          logprobs: null,
          ...textFinishFields(c.finish_reason),
        },
      ]),
    );
    return withAccounting(run, chunks, (extra) => chunk([], extra));
  }

  return eventStreamResponse(run, {
    open: () => [],
    render(event: StreamEvent) {
      if (event.type === "delta") {
        if (!event.content) return [];
        return frames([
          chunk([{ text: text(event.index, event.content), index: event.index, logprobs: null, finish_reason: null }]),
        ]);
      }
      if (event.type === "progress") return frames([chunk([], { lmx: { progress: event.data } })]);
      return frames(finish(event.result));
    },
    close: () => [sseFrame("[DONE]")],
    fail: openaiErrorFrames(run),
  });
}
