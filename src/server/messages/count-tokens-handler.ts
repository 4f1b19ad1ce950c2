import type { Context } from "hono";
import { estimatePromptTokens } from "../../accounting/estimate-tokens.ts";
import { validateChatBody } from "../chat-body-schema.ts";
import { parseJson, readJsonText, type RunDeps } from "../request-run.ts";
import { messagesBodySchema, type MessagesBody } from "./messages-body-schema.ts";
import { messagesRunSpec } from "./messages-request.ts";

/**
 * `POST /v1/messages/count_tokens`: the input tokens of a Messages body, as lmx estimates them for
 * its budgets (about 4 characters a token; not the upstream's tokenizer, so `lmx.estimated` says so).
 * The model is resolved like a request's (unknown ones are 404s); nothing is called.
 */
export function countTokensHandler(deps: Pick<RunDeps, "settings" | "resolveLM">) {
  const schema = messagesBodySchema().omit({ max_tokens: true, stream: true });
  return async (c: Context): Promise<Response> => {
    const body = parseJson(await readJsonText(c, deps.settings));
    validateChatBody(schema, body);
    const spec = messagesRunSpec({ ...(body as MessagesBody), max_tokens: 1 });
    deps.resolveLM({ model: spec.model, technique: spec.lmx?.technique });
    return c.json({ input_tokens: estimatePromptTokens(spec.request), lmx: { estimated: true } });
  };
}
