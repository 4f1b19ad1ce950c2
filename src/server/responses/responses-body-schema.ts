import { z } from "zod";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { lmxFieldSchema } from "../chat-body-schema.ts";
import { zodIssueError } from "../zod-issue-error.ts";

const inputText = z.strictObject({ type: z.literal("input_text"), text: z.string() });
const outputText = z.looseObject({ type: z.literal("output_text"), text: z.string() });
const refusal = z.looseObject({ type: z.literal("refusal"), refusal: z.string() });
const inputImage = z.strictObject({
  type: z.literal("input_image"),
  image_url: z.string().min(1),
  detail: z.enum(["auto", "low", "high"]).optional(),
});
const contentPart = z.discriminatedUnion("type", [inputText, outputText, refusal, inputImage]);

const message = z.strictObject({
  type: z.literal("message").optional(),
  id: z.string().optional(),
  status: z.string().optional(),
  role: z.enum(["user", "assistant", "system", "developer"]),
  content: z.union([z.string(), z.array(contentPart)]),
});
const functionCall = z.strictObject({
  type: z.literal("function_call"),
  id: z.string().optional(),
  status: z.string().optional(),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
});
const functionCallOutput = z.strictObject({
  type: z.literal("function_call_output"),
  id: z.string().optional(),
  status: z.string().optional(),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(z.union([inputText, inputImage]))]),
});
/** Reasoning a client sends back: context for OpenAI's own models, ignored here (no upstream takes it). */
const reasoning = z.looseObject({ type: z.literal("reasoning") });

/** An earlier output item of a stored response, by id (resolved before the request runs). */
const itemReference = z.strictObject({ type: z.literal("item_reference"), id: z.string().min(1).max(300) });

/** An item of `input`: a message, a function call or its output, reasoning (skipped), or a reference. */
export const inputItemSchema = z.union([message, functionCall, functionCallOutput, reasoning, itemReference]);
export type InputItem = z.output<typeof inputItemSchema>;

const functionTool = z.strictObject({
  type: z.literal("function"),
  name: z.string().min(1).max(256),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

const format = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("text") }),
  z.strictObject({ type: z.literal("json_object") }),
  z.strictObject({
    type: z.literal("json_schema"),
    name: z.string().min(1).max(256),
    schema: z.record(z.string(), z.unknown()),
    description: z.string().optional(),
    strict: z.boolean().nullish(),
  }),
]);

/**
 * The `POST /v1/responses` fields lmx serves. Unlike chat completions, the body is translated rather
 * than forwarded, so an unknown field is a 400 (as OpenAI answers it), never silently dropped.
 */
export function responsesBodySchema(options: { maxItems: number }) {
  return z.strictObject({
    model: z.string().optional(),
    input: z.union([z.string(), z.array(inputItemSchema).max(options.maxItems)]),
    instructions: z.string().nullish(),
    tools: z.array(functionTool).max(options.maxItems).optional(),
    tool_choice: z
      .union([
        z.enum(["none", "auto", "required"]),
        z.strictObject({ type: z.literal("function"), name: z.string().min(1) }),
      ])
      .optional(),
    parallel_tool_calls: z.boolean().nullish(),
    text: z.strictObject({ format: format.optional(), verbosity: z.string().nullish() }).optional(),
    reasoning: z
      .strictObject({
        effort: z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]).nullish(),
        summary: z.enum(["auto", "concise", "detailed"]).nullish(),
      })
      .nullish(),
    max_output_tokens: z.number().int().min(1).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    stream: z.boolean().nullish(),
    store: z.boolean().nullish(),
    previous_response_id: z.string().min(1).max(200).nullish(),
    metadata: z.record(z.string().max(64), z.string().max(512)).nullish(),
    user: z.string().max(256).optional(),
    truncation: z.enum(["auto", "disabled"]).nullish(),
    include: z.array(z.string().max(100)).max(16).nullish(),
    service_tier: z.string().max(32).nullish(),
    // Accepted and without effect here: cache routing hints, abuse ids, stream obfuscation, built-in tool caps.
    prompt_cache_key: z.string().max(256).nullish(),
    safety_identifier: z.string().max(256).nullish(),
    stream_options: z.strictObject({ include_obfuscation: z.boolean().optional() }).nullish(),
    max_tool_calls: z.number().int().min(1).nullish(),
    background: z.literal(false).nullish(),
    lmx: lmxFieldSchema.optional(),
  });
}

export type ResponsesBody = z.output<ReturnType<typeof responsesBodySchema>>;

/** The body checked; the first problem becomes an InvalidRequestError naming its `param`. */
export function parseResponsesBody(schema: ReturnType<typeof responsesBodySchema>, body: unknown): ResponsesBody {
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw new InvalidRequestError("the request body must be a JSON object");
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw zodIssueError(parsed.error.issues[0]!);
}
