import { z } from "zod";
import { lmxFieldSchema, stopString } from "../chat-body-schema.ts";

const text = z.looseObject({ type: z.literal("text"), text: z.string() });
const image = z.looseObject({
  type: z.literal("image"),
  source: z.discriminatedUnion("type", [
    z.looseObject({
      type: z.literal("base64"),
      media_type: z.string().regex(/^image\/[a-z0-9.+-]{1,40}$/, "must be an image media type"),
      data: z.string().regex(/^[A-Za-z0-9+/=\s]*$/, "must be base64"),
    }),
    // lmx never fetches it; the upstream does, and only over http(s).
    z.looseObject({ type: z.literal("url"), url: z.string().regex(/^https?:\/\//, "must be an http(s) URL") }),
  ]),
});
const toolUse = z.looseObject({
  type: z.literal("tool_use"),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
});
const toolResult = z.looseObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.union([text, image]))]).optional(),
  is_error: z.boolean().optional(),
});
const thinking = z.looseObject({ type: z.literal("thinking"), thinking: z.string() });
const redactedThinking = z.looseObject({ type: z.literal("redacted_thinking") });
const block = z.discriminatedUnion("type", [text, image, toolUse, toolResult, thinking, redactedThinking]);
const message = z.strictObject({
  role: z.enum(["user", "assistant"]),
  content: z.union([z.string(), z.array(block)]),
});
const tool = z.looseObject({
  type: z.literal("custom").nullish(),
  name: z.string().min(1).max(128),
  description: z.string().optional(),
  input_schema: z.looseObject({ type: z.literal("object") }),
});
const toolChoice = z.discriminatedUnion("type", [
  z.looseObject({ type: z.enum(["auto", "any"]), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({
    type: z.literal("tool"),
    name: z.string().min(1),
    disable_parallel_tool_use: z.boolean().optional(),
  }),
  z.looseObject({ type: z.literal("none") }),
]);
const thinkingConfig = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("enabled"), budget_tokens: z.number().int().min(1) }),
  z.looseObject({ type: z.literal("disabled") }),
  z.looseObject({ type: z.literal("adaptive") }),
]);
const effort = z.enum(["low", "medium", "high", "xhigh", "max"]);

/**
 * The checks a Messages API body must pass: what Anthropic requires (`model`, `max_tokens`, roles,
 * block shapes) and lmx's own `lmx` field. Other top-level fields are accepted and not forwarded:
 * they are Anthropic's and mean nothing to the OpenAI-shaped request the body becomes.
 */
export function messagesBodySchema() {
  return z.looseObject({
    model: z.string(),
    max_tokens: z.number().int().min(1),
    messages: z.array(message).min(1),
    system: z.union([z.string(), z.array(text)]).optional(),
    tools: z.array(tool).optional(),
    tool_choice: toolChoice.optional(),
    stop_sequences: z.array(stopString).max(16).optional(),
    temperature: z.number().min(0).max(1).optional(),
    top_p: z.number().min(0).max(1).optional(),
    top_k: z.number().int().min(0).optional(),
    metadata: z.looseObject({ user_id: z.string().max(256).nullish() }).optional(),
    stream: z.boolean().optional(),
    thinking: thinkingConfig.optional(),
    output_config: z.looseObject({ effort: effort.nullish() }).optional(),
    lmx: lmxFieldSchema.optional(),
  });
}

export type MessagesBody = z.output<ReturnType<typeof messagesBodySchema>>;
export type MessageParam = z.output<typeof message>;
export type ContentBlockParam = z.output<typeof block>;
