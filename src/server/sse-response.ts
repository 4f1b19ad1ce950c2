import type { StreamEvent } from "../core/types.ts";
import { errorResponse } from "./error-response.ts";
import { eventStreamResponse, sseFrame } from "./event-stream-response.ts";
import { accounting, ChunkWriter, chatId, openaiUsage } from "./openai-shapes.ts";
import type { ChatRun } from "./request-run.ts";

/**
 * Streams a run as OpenAI server-sent events (see eventStreamResponse): every delta is forwarded as
 * it arrives, progress rides in an `lmx` field of chunks with empty `choices`, the last chunk carries
 * lmx's accounting, `[DONE]` ends it and a failure becomes an `error` event.
 */
export function sseResponse(run: ChatRun): Promise<Response> {
  const { ctx } = run;
  const writer = new ChunkWriter({
    id: chatId(`lmx-${ctx.span.id}`),
    created: Math.floor(Date.now() / 1000),
    model: run.model,
  });
  const frames = (chunks: object[]) => chunks.map((c) => sseFrame(c));
  return eventStreamResponse(run, {
    open: () => frames([writer.start(0)]),
    render(event: StreamEvent) {
      if (event.type === "delta") return frames(writer.delta(event));
      if (event.type === "progress") return frames([writer.chunk([], { lmx: { progress: event.data } })]);
      return frames(withAccounting(run, writer.finish(event.result), (extra) => writer.chunk([], extra)));
    },
    close: () => [sseFrame("[DONE]")],
    fail: openaiErrorFrames(run),
  });
}

/**
 * A stream's last chunks with lmx's accounting: in a usage chunk when the client asked for one
 * (`stream_options.include_usage`), else on the last chunk (a chunk of its own when there is none).
 * `empty` makes a chunk with no choices and the given fields.
 */
export function withAccounting(
  run: ChatRun,
  chunks: object[],
  empty: (extra: Record<string, unknown>) => object,
): object[] {
  const usage = { ...run.ctx.span.total };
  const lmx = accounting(usage, run.ctx.span.traceId);
  if (run.includeUsage) chunks.push(empty({ usage: openaiUsage(usage), lmx }));
  else if (chunks.length) Object.assign(chunks[chunks.length - 1]!, { lmx });
  else chunks.push(empty({ lmx }));
  return chunks;
}

/** A failure after an OpenAI-style stream started: one `error` event, its message as the API would answer. */
export function openaiErrorFrames(run: ChatRun): (error: unknown) => string[] {
  return (error) => [sseFrame({ error: errorResponse(error, { secrets: run.secrets }).body.error })];
}
