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
      const usage = { ...ctx.span.total };
      const chunks = writer.finish(event.result);
      const lmx = accounting(usage, ctx.span.traceId);
      if (run.includeUsage) chunks.push(writer.chunk([], { usage: openaiUsage(usage), lmx }));
      else Object.assign(chunks[chunks.length - 1]!, { lmx });
      return frames(chunks);
    },
    close: () => [sseFrame("[DONE]")],
    fail: (error) => [sseFrame({ error: errorResponse(error, { secrets: run.secrets }).body.error })],
  });
}
