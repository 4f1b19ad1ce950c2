import type { ChatResult, StreamEvent } from "../../core/types.ts";
import { UpstreamError } from "../../core/errors/upstream-error.ts";
import { errorResponse } from "../error-response.ts";
import { eventStreamResponse, sseFrame } from "../event-stream-response.ts";
import type { ChatRun } from "../request-run.ts";
import type { ResponsesEvent, ResponsesWriter } from "./responses-output.ts";

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
export function responsesStream(run: ChatRun, writer: ResponsesWriter, hooks: ResponsesStreamHooks): Promise<Response> {
  let answered: ChatResult | undefined;
  return eventStreamResponse(run, {
    open: () => hooks.start(writer).map(frame),
    render(event: StreamEvent): string[] {
      if (event.type === "progress")
        return [`: lmx progress ${JSON.stringify(event.data).replace(/[\r\n]/g, " ")}\n\n`];
      const events =
        event.type === "delta"
          ? writer.delta(event)
          : [...writer.finish(event.result), ...hooks.end(writer, (answered = event.result))];
      return events.map(frame);
    },
    close(): string[] {
      // Clients wait for a closing event: a stream that ended without an answer must say so.
      if (!answered)
        throw new UpstreamError({
          provider: "lmx",
          failure: "malformed",
          message: "the model ended without an answer",
        });
      return [];
    },
    fail(error: unknown): string[] {
      const e = errorResponse(error, { secrets: run.secrets }).body.error;
      return [frame(writer.event("error", { code: e.code ?? null, message: e.message, param: e.param ?? null }))];
    },
  });
}

function frame(event: ResponsesEvent): string {
  return sseFrame(event, event.type);
}
