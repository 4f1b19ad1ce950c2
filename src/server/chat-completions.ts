import type { Context } from "hono";
import type { ChatRequest } from "../core/types.ts";
import { chatBodySchema, dropNullSettings, validateChatBody, type LmxField } from "./chat-body-schema.ts";
import { accountingHeaders, completionBody } from "./openai-shapes.ts";
import { runRequest, type RunDeps } from "./request-run.ts";
import { sseResponse } from "./sse-response.ts";

export type { ChatRun } from "./request-run.ts";
export type ChatCompletionsDeps = RunDeps;

/**
 * `POST /v1/chat/completions`: validates the body, resolves `model` (+ `lmx.technique`) to an LM,
 * runs it under a per-request budget and abort signal (the client leaving aborts the work) and
 * answers in the OpenAI shape, as JSON or as server-sent events. The shared pipeline (body bounds,
 * concurrency, budget, trace) is `runRequest`; the server's deadline (`limits.requestMs`) is the
 * time budget a client may only lower.
 */
export function chatCompletionsHandler(deps: ChatCompletionsDeps) {
  const schema = chatBodySchema({ maxN: deps.settings.maxN });
  return (c: Context): Promise<Response> =>
    runRequest(deps, c, {
      name: "POST /v1/chat/completions",
      prepare(body) {
        validateChatBody(schema, body);
        const { model, lmx, stream, stream_options, ...request } = dropNullSettings(
          body as Record<string, unknown>,
        ) as ChatRequest & { lmx?: LmxField; stream?: boolean; stream_options?: { include_usage?: boolean } | null };
        return {
          model,
          lmx,
          stream: stream === true,
          includeUsage: stream_options?.include_usage === true,
          request: request as ChatRequest,
        };
      },
      async respond(run) {
        if (run.stream) return await sseResponse(run);
        const result = await run.lm.complete(run.request, run.ctx);
        const usage = { ...run.ctx.span.total };
        run.done(undefined, result);
        return c.json(
          completionBody({ result, model: run.model, usage }),
          200,
          accountingHeaders(usage, run.ctx.span.traceId, result),
        );
      },
    });
}
