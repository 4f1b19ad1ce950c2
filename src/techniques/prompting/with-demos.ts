import type { ChatRequest, Message } from "../../core/types.ts";
import type { Demo } from "./load-demos.ts";

const LEADING_ROLES = new Set(["system", "developer"]);

/**
 * The request with `demos` as earlier user/assistant turns, in order, right after the leading
 * system (or developer) messages: the system prompt stays first and any conversation history keeps
 * its place after the demonstrations. Every other request field is kept.
 */
export function withDemos(options: { request: ChatRequest; demos: readonly Demo[] }): ChatRequest {
  const { request, demos } = options;
  if (demos.length === 0) return request;
  let at = 0;
  while (at < request.messages.length && LEADING_ROLES.has(request.messages[at]!.role)) at++;
  const turns: Message[] = demos.flatMap((d) => [
    { role: "user", content: d.question },
    { role: "assistant", content: d.answer },
  ]);
  return { ...request, messages: [...request.messages.slice(0, at), ...turns, ...request.messages.slice(at)] };
}
