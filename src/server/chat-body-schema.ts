import { z } from "zod";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";

const part = z.looseObject({ type: z.string() });
const toolCall = z.looseObject({
  id: z.string(),
  type: z.literal("function"),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});
const message = z.discriminatedUnion("role", [
  z.looseObject({
    role: z.enum(["system", "developer"]),
    content: z.union([z.string(), z.array(part)]),
    name: z.string().optional(),
  }),
  z.looseObject({
    role: z.literal("user"),
    content: z.union([z.string(), z.array(part)]),
    name: z.string().optional(),
  }),
  z.looseObject({
    role: z.literal("assistant"),
    content: z.union([z.string(), z.array(part), z.null()]).optional(),
    tool_calls: z.array(toolCall).optional(),
    name: z.string().optional(),
  }),
  z.looseObject({ role: z.literal("tool"), content: z.union([z.string(), z.array(part)]), tool_call_id: z.string() }),
]);
const tool = z.looseObject({
  type: z.literal("function"),
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});
export const budgetSchema = z.strictObject({
  tokens: z.number().min(0).optional(),
  calls: z.number().min(0).optional(),
  cost_usd: z.number().min(0).optional(),
  time_ms: z.number().min(0).optional(),
});

/** The `lmx` field of a request body: lmx's own per-request settings, never sent upstream. */
export const lmxFieldSchema = z.strictObject({ technique: z.string().optional(), budget: budgetSchema.optional() });
export type LmxField = z.output<typeof lmxFieldSchema>;

/** One stop string: at most 1,000 characters (the longest real stop sequences are a few dozen). */
export const stopString = z.string().max(1000, "a stop sequence may have at most 1000 characters");

/**
 * The fields chat completions shares with the legacy completions API (`/v1/completions`): sampling
 * settings, `n` (at most `maxN`), `max_tokens`, `stop`, streaming, `user` and lmx's `lmx` field.
 */
export function sharedBodyFields(options: { maxN: number }) {
  return {
    model: z.string().optional(),
    n: z.number().int().min(1).max(options.maxN).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    max_tokens: z.number().int().min(1).nullish(),
    // Bounded: a local model matches every stop string against its output after each token.
    stop: z.union([stopString, z.array(stopString).max(16)]).nullish(),
    seed: z.number().int().nullish(),
    presence_penalty: z.number().min(-2).max(2).nullish(),
    frequency_penalty: z.number().min(-2).max(2).nullish(),
    stream: z.boolean().nullish(),
    stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
    user: z.string().optional(),
    lmx: lmxFieldSchema.optional(),
  };
}

/**
 * The checks a chat.completions body must pass (roles, types, ranges). Unknown fields are allowed:
 * they ride along to the upstream, as OpenAI-compatible servers add their own.
 */
export function chatBodySchema(options: { maxN: number }) {
  const { model, ...shared } = sharedBodyFields(options);
  return z.looseObject({
    model,
    messages: z.array(message).min(1),
    ...shared,
    max_completion_tokens: z.number().int().min(1).nullish(),
    reasoning_effort: z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]).nullish(),
    logprobs: z.boolean().nullish(),
    top_logprobs: z.number().int().min(0).max(20).nullish(),
    tools: z.array(tool).optional(),
    tool_choice: z
      .union([
        z.enum(["none", "auto", "required"]),
        z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string() }) }),
      ])
      .optional(),
    parallel_tool_calls: z.boolean().optional(),
    response_format: z.looseObject({ type: z.enum(["text", "json_object", "json_schema"]) }).optional(),
  });
}

/** Fields OpenAI lets a client send as `null`, meaning "not set" (some clients always send them). */
const NULLABLE = [
  "n",
  "temperature",
  "top_p",
  "max_tokens",
  "max_completion_tokens",
  "reasoning_effort",
  "stop",
  "seed",
  "logprobs",
  "top_logprobs",
  "presence_penalty",
  "frequency_penalty",
  "stream",
  "stream_options",
];

/**
 * The body with those `null`s (and those of the route's own nullable fields, `also`) left out, as
 * OpenAI reads them, so no upstream or technique sees them.
 */
export function dropNullSettings<T extends Record<string, unknown>>(body: T, also: readonly string[] = []): T {
  const out: Record<string, unknown> = { ...body };
  for (const key of [...NULLABLE, ...also]) if (out[key] === null) delete out[key];
  return out as T;
}

/** Validates a parsed body (of any route's schema); the first problem becomes an InvalidRequestError naming its `param`. */
export function validateChatBody(schema: z.ZodType, body: unknown): void {
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw new InvalidRequestError("the request body must be a JSON object");
  const parsed = schema.safeParse(body);
  if (parsed.success) return;
  const issue = parsed.error.issues[0]!;
  const param = formatPath(issue.path);
  throw new InvalidRequestError(`${param ? `${param}: ` : ""}${issue.message}`, { param: param || undefined });
}

/** `messages[0].content`, as OpenAI names params. */
function formatPath(path: PropertyKey[]): string {
  let out = "";
  for (const key of path) out += typeof key === "number" ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out;
}
