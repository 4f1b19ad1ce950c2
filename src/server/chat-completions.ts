import type { Context } from "hono";
import type { ChatRequest } from "../core/types.ts";
import { chatBodySchema, dropNullSettings, validateChatBody, type LmxField } from "./chat-body-schema.ts";
import { accountingHeaders, completionBody } from "./openai-shapes.ts";
import { lmRoute, type RunDeps } from "./request-run.ts";
import { sseResponse } from "./sse-response.ts";

export type { ChatRun } from "./request-run.ts";
export type ChatCompletionsDeps = RunDeps;

/**
 * `POST /v1/chat/completions`: validates the body, resolves `model` (+ `lmx.technique`) to an LM,
 * runs it on the shared pipeline (lmRoute: body limits, budget, abort, trace) and answers in the
 * OpenAI shape, as JSON or as server-sent events.
 */
export function chatCompletionsHandler(deps: ChatCompletionsDeps) {
  const schema = chatBodySchema({ maxN: deps.settings.maxN });
  return lmRoute(deps, {
    name: "POST /v1/chat/completions",
    plan(body) {
      validateChatBody(schema, body);
      const { model, lmx, stream, stream_options, ...request } = dropNullSettings(
        body as Record<string, unknown>,
      ) as ChatRequest & { lmx?: LmxField; stream?: boolean; stream_options?: { include_usage?: boolean } | null };
      return {
        model,
        lmx,
        request: request as ChatRequest,
        stream: stream === true,
        includeUsage: stream_options?.include_usage === true,
        state: undefined,
      };
    },
    async answer(run, c: Context) {
      if (run.stream) return sseResponse(run);
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
