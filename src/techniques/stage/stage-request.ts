import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { contentText } from "../../core/messages.ts";
import type { ChatRequest, ContentPart, Message } from "../../core/types.ts";

/**
 * What a stage call produces. An `answer` is a candidate for the caller's final answer, so every
 * field of the caller's request applies to it. A `note` (critique, plan, rephrasing, sub-answer) is
 * read only by the technique, so the fields that shape the final answer must not bind it: a JSON
 * response format would break its parsing and the caller's max_tokens is meant for the answer.
 */
export type StagePurpose = "answer" | "note";

const answerOnlyFields = [
  "response_format",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "logprobs",
  "top_logprobs",
  "stop",
  "max_tokens",
  "max_completion_tokens",
  "n",
] as const;

function lastUserIndex(request: ChatRequest): number {
  for (let i = request.messages.length - 1; i >= 0; i--) if (request.messages[i]!.role === "user") return i;
  return -1;
}

/** The question a technique works on: the last user message's text (InvalidRequestError when there is none). */
export function questionOf({ request, technique }: { request: ChatRequest; technique: string }): string {
  const i = lastUserIndex(request);
  const text = i < 0 ? "" : contentText(request.messages[i]!.content).trim();
  if (!text)
    throw new InvalidRequestError(`${technique}: the request has no user message with text to work on`, {
      param: "messages",
    });
  return text;
}

/**
 * The request for one stage: the caller's conversation (system prompt and earlier turns kept) with
 * the last user message's text replaced by `prompt`. Images and other non-text parts of that
 * message are kept, so a stage about a picture still sees it.
 */
export function stageRequest({
  request,
  prompt,
  purpose = "answer",
}: {
  request: ChatRequest;
  prompt: string;
  purpose?: StagePurpose;
}): ChatRequest {
  const i = lastUserIndex(request);
  const messages = [...request.messages];
  if (i < 0) messages.push({ role: "user", content: prompt });
  else messages[i] = { ...messages[i]!, content: replaceText(messages[i]!.content, prompt) };
  const out: ChatRequest = { ...request, messages };
  if (purpose === "note") for (const field of answerOnlyFields) delete out[field];
  return out;
}

function replaceText(content: Message["content"], text: string): Message["content"] {
  if (!Array.isArray(content)) return text;
  const others = content.filter((p: ContentPart) => p.type !== "text");
  if (others.length === 0) return text;
  return [{ type: "text", text }, ...others];
}
