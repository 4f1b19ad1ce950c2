import type { ChatResult, StreamEvent } from "../core/types.ts";
import type { ChatRun } from "./request-run.ts";
import { errorResponse } from "./error-response.ts";
import { accounting, ChunkWriter, chatId, openaiUsage } from "./openai-shapes.ts";

const encoder = new TextEncoder();
const HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

/**
 * Streams a run as OpenAI server-sent events. The response starts at the LM's first event or first
 * progress report, so a request that fails before either still gets a proper error status; after
 * that every delta is forwarded as it arrives, progress rides in an `lmx` field of chunks with empty
 * `choices`, and a failure becomes an `error` event.
 */
export async function sseResponse(run: ChatRun): Promise<Response> {
  const { ctx } = run;
  const iterator = run.lm
    .stream(run.request, { ...ctx, onProgress: (data) => emit({ type: "progress", data }) })
    [Symbol.asyncIterator]();
  const early: object[] = [];
  let sink: ((chunk: object) => void) | undefined;
  let committed: () => void = () => {};
  const progressed = new Promise<void>((resolve) => (committed = resolve));
  let writer: ChunkWriter | undefined;
  let answered: ChatResult | undefined;

  function emit(event: StreamEvent): void {
    const chunks = render(event);
    if (sink) for (const c of chunks) sink(c);
    else early.push(...chunks);
    if (event.type === "progress") committed();
  }

  function render(event: StreamEvent): object[] {
    writer ??= new ChunkWriter({
      id: chatId(`lmx-${ctx.span.id}`),
      created: Math.floor(Date.now() / 1000),
      model: run.model,
    });
    if (event.type === "delta") return writer.delta(event);
    if (event.type === "progress") return [writer.chunk([], { lmx: { progress: event.data } })];
    const usage = { ...ctx.span.total };
    answered = event.result;
    const chunks = writer.finish(event.result);
    const lmx = accounting(usage, ctx.span.traceId);
    if (run.includeUsage) chunks.push(writer.chunk([], { usage: openaiUsage(usage), lmx }));
    else Object.assign(chunks[chunks.length - 1]!, { lmx });
    return chunks;
  }

  const first = iterator.next();
  // Whichever comes first: the LM's first event (or its failure) or a progress report.
  const outcome = await Promise.race([
    first.then(
      () => "event",
      () => "error",
    ),
    progressed.then(() => "progress"),
  ]);
  if (outcome === "error") await first;

  let closed = false;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (data: object | string) => {
        if (!closed)
          controller.enqueue(encoder.encode(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`));
      };
      writer ??= new ChunkWriter({
        id: chatId(`lmx-${ctx.span.id}`),
        created: Math.floor(Date.now() / 1000),
        model: run.model,
      });
      send(writer.start(0));
      for (const c of early) send(c);
      sink = send;
      try {
        // Read to the end (not just to the result) so the LM's own clean-up runs.
        for (let step = await first; !step.done; step = await iterator.next()) emit(step.value);
        send("[DONE]");
        run.done(undefined, answered);
      } catch (error) {
        send({ error: errorResponse(error, { secrets: run.secrets }).body.error });
        run.done(error);
      } finally {
        if (!closed) {
          closed = true;
          controller.close();
        }
      }
    },
    cancel() {
      // The client went away: the request signal aborts the work; stop writing.
      closed = true;
      void iterator.return?.();
    },
  });
  return new Response(body, { status: 200, headers: { ...HEADERS, "x-lmx-trace-id": ctx.span.traceId } });
}
