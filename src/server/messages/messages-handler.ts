import type { Context } from "hono";
import { validateChatBody } from "../chat-body-schema.ts";
import { accountingHeaders } from "../openai-shapes.ts";
import { lmRoute, type RunDeps } from "../request-run.ts";
import { messagesBodySchema, type MessagesBody } from "./messages-body-schema.ts";
import { messagesRunSpec } from "./messages-request.ts";
import { messageBody } from "./messages-response.ts";
import { messagesStreamResponse } from "./messages-stream.ts";

/**
 * `POST /v1/messages`, Anthropic's Messages API: the body becomes the core's OpenAI-shaped request
 * and runs through the same pipeline as chat completions (`model` may be any technique spec, `lmx`
 * sets technique and budget, the same keys, limits, budget caps and traces); the answer comes back
 * as an Anthropic `message` or its event stream. Errors answer in Anthropic's shape (see
 * anthropicErrorBody, used by the app's error handler for this path).
 */
export function messagesHandler(deps: RunDeps) {
  const schema = messagesBodySchema();
  return lmRoute(deps, {
    name: "POST /v1/messages",
    plan(body) {
      validateChatBody(schema, body);
      return { ...messagesRunSpec(body as MessagesBody), state: undefined };
    },
    async answer(run, c: Context) {
      if (run.stream) return await messagesStreamResponse(run);
      const result = await run.lm.complete(run.request, run.ctx);
      const usage = { ...run.ctx.span.total };
      const body = messageBody({ result, model: run.model, usage, lm: run.lm.id });
      run.done(undefined, result);
      return c.json(body, 200, accountingHeaders(usage, run.ctx.span.traceId, result));
    },
  });
}
