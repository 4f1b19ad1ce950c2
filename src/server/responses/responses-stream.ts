import type { ChatResult, StreamEvent } from "../../core/types.ts";
import { UpstreamError } from "../../core/errors/upstream-error.ts";
import { errorResponse } from "../error-response.ts";
import type { ChatRun } from "../request-run.ts";
import type { ResponsesEvent, ResponsesWriter } from "./responses-output.ts";

const encoder = new TextEncoder();
const HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

/** What the route makes of the run's start and end: the opening events and the closing ones. */
export interface ResponsesStreamHooks {
  /** `response.created` and `response.in_progress`. */
  start(writer: ResponsesWriter): ResponsesEvent[];
  /** The events after the output (`response.completed` or `response.incomplete`); store the response here. */
  end(writer: ResponsesWriter, result: ChatResult): ResponsesEvent[];
}

/**
 * Streams a run as Responses API server-sent events (`event: <type>` + `data: <json>`). As on chat
 * completions, the response starts at the LM's first event or first progress report, so a request that
 * fails before either still gets a proper error status; progress rides in SSE comments (every client
 * skips them, and they keep the connection alive through long techniques); a later failure is an
 * `error` event.
 */
export async function responsesStream(
  run: ChatRun,
  writer: ResponsesWriter,
  hooks: ResponsesStreamHooks,
): Promise<Response> {
  const { ctx } = run;
  const early: string[] = [];
  let sink: ((frame: string) => void) | undefined;
  let committed: () => void = () => {};
  const progressed = new Promise<void>((resolve) => (committed = resolve));
  let answered: ChatResult | undefined;
  const iterator = run.lm
    .stream(run.request, { ...ctx, onProgress: (data) => emit({ type: "progress", data }) })
    [Symbol.asyncIterator]();

  const push = (frame: string) => (sink ? sink(frame) : early.push(frame));
  function emit(event: StreamEvent): void {
    if (event.type === "progress") {
      push(`: lmx progress ${JSON.stringify(event.data).replace(/[\r\n]/g, " ")}\n\n`);
      committed();
      return;
    }
    const events =
      event.type === "delta"
        ? writer.delta(event)
        : [...writer.finish(event.result), ...hooks.end(writer, (answered = event.result))];
    for (const e of events) push(frame(e));
  }

  const first = iterator.next();
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
      const send = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      for (const e of hooks.start(writer)) send(frame(e));
      for (const f of early) send(f);
      sink = send;
      try {
        // Read to the end (not just to the result) so the LM's own clean-up runs.
        for (let step = await first; !step.done; step = await iterator.next()) emit(step.value);
        // Clients wait for a closing event: a stream that ended without an answer must say so.
        if (!answered)
          throw new UpstreamError({
            provider: "lmx",
            failure: "malformed",
            message: "the model ended without an answer",
          });
        run.done(undefined, answered);
      } catch (error) {
        const e = errorResponse(error, { secrets: run.secrets }).body.error;
        send(frame(writer.event("error", { code: e.code ?? null, message: e.message, param: e.param ?? null })));
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

function frame(event: ResponsesEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
