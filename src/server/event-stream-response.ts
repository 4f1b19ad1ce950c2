import type { StreamEvent } from "../core/types.ts";
import type { ChatRun } from "./request-run.ts";

const encoder = new TextEncoder();
const HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

/** One API's server-sent-event framing of a run: each method returns whole SSE frames (`data: …\n\n`). */
export interface EventStreamWire {
  /** The frames that open the response. */
  open(): string[];
  /** The frames for one LM event (delta, progress or the final result). */
  render(event: StreamEvent): string[];
  /** The frames after the LM's stream ended cleanly (throwing turns the end into a failure). */
  close(): string[];
  /** The frames for a failure after the response started. */
  fail(error: unknown): string[];
}

/** `data: JSON` (with an `event:` line before it, when named) and the blank line that ends an SSE frame. */
export function sseFrame(data: object | string, event?: string): string {
  const text = typeof data === "string" ? data : JSON.stringify(data);
  return `${event ? `event: ${event}\n` : ""}data: ${text}\n\n`;
}

/**
 * Streams a run as server-sent events in `wire`'s framing. The response starts at the LM's first
 * event or first progress report, so a request that fails before either still gets a proper error
 * status; after that every event is forwarded as it arrives and a failure becomes the wire's error
 * frames. The run is marked done when the stream ends, fails or the client leaves.
 */
export async function eventStreamResponse(run: ChatRun, wire: EventStreamWire): Promise<Response> {
  const { ctx } = run;
  const iterator = run.lm
    .stream(run.request, { ...ctx, onProgress: (data) => emit({ type: "progress", data }) })
    [Symbol.asyncIterator]();
  // Events before the response starts (progress only) wait, unrendered, until it opens.
  const early: StreamEvent[] = [];
  let sink: ((frame: string) => void) | undefined;
  let committed: () => void = () => {};
  const progressed = new Promise<void>((resolve) => (committed = resolve));
  let answered: Extract<StreamEvent, { type: "result" }>["result"] | undefined;

  function emit(event: StreamEvent): void {
    if (event.type === "progress") committed();
    if (!sink) {
      early.push(event);
      return;
    }
    if (event.type === "result") answered = event.result;
    for (const frame of wire.render(event)) sink(frame);
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
      const send = (frame: string) => {
        if (!closed) controller.enqueue(encoder.encode(frame));
      };
      for (const frame of wire.open()) send(frame);
      sink = send;
      for (const event of early.splice(0)) emit(event);
      try {
        // Read to the end (not just to the result) so the LM's own clean-up runs.
        for (let step = await first; !step.done; step = await iterator.next()) emit(step.value);
        for (const frame of wire.close()) send(frame);
        run.done(undefined, answered);
      } catch (error) {
        for (const frame of wire.fail(error)) send(frame);
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
