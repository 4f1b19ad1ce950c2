import type { Context } from "hono";
import { lmRoute, type RunDeps } from "../request-run.ts";
import { completionsBodySchema, parseCompletionsBody } from "./completions-body-schema.ts";
import { completionsRunPlan, type CompletionsState } from "./completions-request.ts";
import { completionHeaders, textCompletionBody } from "./completions-response.ts";
import { completionsStreamResponse } from "./completions-stream.ts";
import { promptBatchLM } from "./prompt-batch.ts";

/**
 * `POST /v1/completions`, OpenAI's legacy Completions API (text in, text out), on the pipeline chat
 * completions runs on (`model` may be any technique spec, `lmx` sets technique and budget; the same
 * keys, limits, budget caps and traces). Each prompt is one user message to the run's LM; a batch of
 * prompts runs within the one request (promptBatchLM: one budget, one trace, usage summed once) and
 * is answered as a `text_completion`, as JSON or server-sent events.
 */
export function completionsHandler(deps: RunDeps) {
  const { maxN, maxBodyBytes } = deps.settings;
  const schema = completionsBodySchema({ maxN });
  return lmRoute<CompletionsState>(deps, {
    name: "POST /v1/completions",
    plan: (body) => completionsRunPlan(parseCompletionsBody(schema, body, { maxN, maxBodyBytes })),
    async answer(run, c: Context, state) {
      const batch = { ...run, lm: promptBatchLM(run.lm, state) };
      if (run.stream) return completionsStreamResponse(batch, state);
      const result = await batch.lm.complete(run.request, run.ctx);
      const usage = { ...run.ctx.span.total };
      run.done(undefined, result);
      return c.json(
        textCompletionBody({ result, model: run.model, usage, state }),
        200,
        completionHeaders(usage, run.ctx.span.traceId, result),
      );
    },
  });
}
