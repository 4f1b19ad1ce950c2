import type { Context } from "hono";
import type { ChatResult, Usage } from "../../core/types.ts";
import { accounting, accountingHeaders } from "../openai-shapes.ts";
import { lmRoute, type ChatRun, type RunDeps } from "../request-run.ts";
import type { TenantTraces } from "../tenant-traces.ts";
import {
  parseResponsesBody,
  responsesBodySchema,
  type InputItem,
  type ResponsesBody,
} from "./responses-body-schema.ts";
import { chatRequestOf, inputItems } from "./responses-input.ts";
import { responsesUsage, responseStatus, ResponsesWriter, type OutputItem } from "./responses-output.ts";
import { responsesStream } from "./responses-stream.ts";
import { responseId } from "./response-ids.ts";
import { previousItems, resolveReferences, storedResponses, storeResponse } from "./stored-responses.ts";

export interface ResponsesDeps extends RunDeps {
  /** Where `previous_response_id` is looked up, as the caller may see traces. */
  visibleTraces: TenantTraces;
}

/** Most input items (and tools) one body may hold; the body's byte limit bounds them too. */
export const MAX_INPUT_ITEMS = 4096;

interface State {
  body: ResponsesBody;
  /** The whole conversation: a previous response's, then this request's input. */
  items: InputItem[];
  createdAt: number;
}

/**
 * `POST /v1/responses` (OpenAI's Responses API) on the same pipeline as chat completions: the body is
 * translated to a chat request (any technique applies, through `model` or `lmx.technique`), run, and
 * answered as a `response` object or its event stream. A stored response's conversation is kept with
 * its trace, for `previous_response_id`.
 */
export function responsesHandler(deps: ResponsesDeps) {
  const schema = responsesBodySchema({ maxItems: MAX_INPUT_ITEMS });
  return lmRoute<State>(deps, {
    name: "POST /v1/responses",
    async plan(raw, c) {
      const body = parseResponsesBody(schema, raw);
      const stored = storedResponses(deps.visibleTraces, deps.callerOf?.(c) ?? { operator: false });
      const previous = body.previous_response_id ? await previousItems(stored, body.previous_response_id) : [];
      const current = await resolveReferences(stored, inputItems(body.input), deps.settings.maxBodyBytes);
      const items = [...previous, ...current];
      return {
        model: body.model,
        lmx: body.lmx,
        request: chatRequestOf(body, items),
        stream: body.stream === true,
        state: { body, items, createdAt: Math.floor(Date.now() / 1000) },
      };
    },
    async answer(run, c, state) {
      const writer = new ResponsesWriter(run.ctx.span.traceId);
      const envelope = responseEnvelope(run, state);
      // A stored conversation is at most one body's size (chains included), so the trace store's bound holds.
      const maxStoredBytes = deps.settings.maxBodyBytes;
      if (run.stream)
        return responsesStream(run, writer, {
          start: (w) => {
            const shell = envelope({ status: "in_progress", output: [] });
            return [
              w.event("response.created", { response: shell }),
              w.event("response.in_progress", { response: shell }),
            ];
          },
          end: (w, result) => {
            const response = finished(run, state, { envelope, output: w.output, result, maxStoredBytes });
            const type = response.status === "incomplete" ? "response.incomplete" : "response.completed";
            return [w.event(type, { response })];
          },
        });
      const result = await run.lm.complete(run.request, run.ctx);
      writer.finish(result);
      const response = finished(run, state, { envelope, output: writer.output, result, maxStoredBytes });
      const usage = { ...run.ctx.span.total };
      run.done(undefined, result);
      return c.json(response, 200, accountingHeaders(usage, run.ctx.span.traceId, result));
    },
  });
}

type Envelope = ReturnType<typeof responseEnvelope>;

/** The final response object; a stored one's conversation is filed with its trace first. */
function finished(
  run: ChatRun,
  state: State,
  o: { envelope: Envelope; output: OutputItem[]; result: ChatResult; maxStoredBytes: number },
) {
  const { envelope, output, result } = o;
  const usage = { ...run.ctx.span.total };
  const stored =
    state.body.store !== false && storeResponse(run.ctx.span, { input: state.items, output }, o.maxStoredBytes);
  const { status, incomplete_details, lmx } = responseStatus(result);
  return envelope({
    status,
    incomplete_details,
    output,
    usage,
    store: stored,
    ...(lmx ? { lmx_finish_reason: lmx } : {}),
  });
}

/** A `response` object with the request's settings echoed, as OpenAI answers them. */
function responseEnvelope(run: ChatRun, state: State) {
  const { body } = state;
  return (o: {
    status: string;
    output: OutputItem[];
    incomplete_details?: { reason: string } | null;
    usage?: Usage;
    store?: boolean;
    lmx_finish_reason?: string;
  }) => ({
    id: responseId(run.ctx.span.traceId),
    object: "response" as const,
    created_at: state.createdAt,
    status: o.status,
    error: null,
    incomplete_details: o.incomplete_details ?? null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: run.model,
    output: o.output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: body.reasoning?.effort ?? null, summary: body.reasoning?.summary ?? null },
    store: o.store ?? body.store !== false,
    temperature: body.temperature ?? 1,
    text: { format: body.text?.format ?? { type: "text" } },
    tool_choice: body.tool_choice ?? "auto",
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: body.truncation ?? "disabled",
    usage: o.usage ? responsesUsage(o.usage) : null,
    user: body.user ?? null,
    metadata: body.metadata ?? {},
    ...(o.lmx_finish_reason ? { lmx_finish_reason: o.lmx_finish_reason } : {}),
    ...(o.usage ? { lmx: accounting(o.usage, run.ctx.span.traceId) } : {}),
  });
}
