import type { ServerResponse } from "node:http";
import type { ReportedUsage } from "./openai-test-server.ts";
import {
  countTokens,
  sendJson,
  startKitServer,
  startSse,
  textOf,
  type RecordedRequest,
  type TestServerFaults,
} from "./test-server-kit.ts";

/** A fuller answer than a plain string. */
export interface AnthropicTestReply {
  content?: string;
  tool_use?: { id?: string; name: string; input: Record<string, unknown> }[];
  thinking?: string;
  stop_reason?: string;
  /** Output tokens to report (default: words of text, thinking and tool input). */
  output_tokens?: number;
}

/** Answers request after request; `index` counts the server's answers (0, 1, 2 …). */
export type AnthropicReply = (
  request: any,
  index: number,
) => string | AnthropicTestReply | Promise<string | AnthropicTestReply>;

export interface AnthropicTestBehaviour extends TestServerFaults {
  /** Prompt tokens to report as read from the prompt cache (`cache_read_input_tokens`). */
  cacheReadTokens?: number;
  /** End the first K streamed answers right after message_start with an `overloaded_error` event, as the API does under load. */
  overloadedStreams?: number;
}

export interface AnthropicTestServer {
  /** Base URL for the SDK's `baseURL` (the SDK adds `/v1/messages`). */
  url: string;
  requests: RecordedRequest[];
  /** What each answer reported, in lmx's terms (prompt_tokens includes cache reads). */
  reported: ReportedUsage[];
  /** Mutable: switch faults between calls. */
  behaviour: AnthropicTestBehaviour;
  close(): Promise<void>;
}

/**
 * A real Anthropic Messages API server on 127.0.0.1 for tests: `POST /v1/messages` as JSON or as
 * an SSE event stream (message_start … message_stop), tool_use and thinking blocks (with the API's
 * rules for thinking requests), and switchable faults.
 */
export async function startAnthropicTestServer(
  options: { reply?: AnthropicReply; behaviour?: AnthropicTestBehaviour } = {},
): Promise<AnthropicTestServer> {
  const reply = options.reply ?? ((_r: unknown, i: number) => `answer ${i}`);
  const behaviour: AnthropicTestBehaviour = { ...options.behaviour };
  const reported: ReportedUsage[] = [];
  let answered = 0;
  let streams = 0;

  const kit = await startKitServer({
    faults: behaviour,
    errorBody: anthropicError,
    async handle({ res, record }) {
      if (record.method !== "POST" || record.path !== "/v1/messages")
        return sendJson(res, 404, anthropicError(404, `no route ${record.method} ${record.path}`));
      const body = record.body;
      if (typeof body.max_tokens !== "number")
        return sendJson(res, 400, anthropicError(400, "max_tokens: Field required"));
      const thinkingError = checkThinking(body);
      if (thinkingError) return sendJson(res, 400, anthropicError(400, thinkingError));
      if (behaviour.malformed === "invalid-json") {
        if (!body.stream)
          return sendJson(res, 200, '{"id":"msg_broken","type":"message","content":[{"type":"text","text":');
        const sse = startSse(res);
        await sse.send('{"type":"message_start","message":{"id":', "message_start");
        sse.end();
        return;
      }
      if (behaviour.malformed === "incomplete")
        return sendJson(res, 200, { id: "msg_incomplete", type: "message", role: "assistant" });

      const raw = await reply(body, answered++);
      const r: AnthropicTestReply = typeof raw === "string" ? { content: raw } : raw;
      const blocks = blocksOf(r);
      const usage = usageFor(body, r, behaviour.cacheReadTokens ?? 0);
      const id = `msg_test_${answered}`;
      const stop = r.stop_reason ?? (r.tool_use?.length ? "tool_use" : "end_turn");
      const wire = {
        input_tokens: usage.prompt_tokens - usage.cached_tokens,
        output_tokens: usage.completion_tokens,
        cache_read_input_tokens: usage.cached_tokens,
        cache_creation_input_tokens: 0,
      };
      if (!body.stream) {
        reported.push(usage);
        return sendJson(res, 200, {
          id,
          type: "message",
          role: "assistant",
          model: body.model,
          content: blocks,
          stop_reason: stop,
          stop_sequence: null,
          usage: wire,
        });
      }
      if (streams++ < (behaviour.overloadedStreams ?? 0)) return overloadedStream(res, id, body.model);
      if (await streamAnswer({ res, id, model: body.model, blocks, stop, wire, faults: behaviour }))
        reported.push(usage);
    },
  });
  return { url: kit.origin, requests: kit.requests, reported, behaviour, close: kit.close };
}

async function streamAnswer(o: {
  res: ServerResponse;
  id: string;
  model: string;
  blocks: any[];
  stop: string;
  wire: Record<string, number>;
  faults: TestServerFaults;
}): Promise<boolean> {
  const sse = startSse(o.res, o.faults);
  const send = (data: Record<string, unknown>) => sse.send(data, data.type as string);
  const start = {
    id: o.id,
    type: "message",
    role: "assistant",
    model: o.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { ...o.wire, output_tokens: 1 },
  };
  if (!(await send({ type: "message_start", message: start })) || !(await sse.send({ type: "ping" }, "ping")))
    return false;
  for (const [index, block] of o.blocks.entries()) {
    const empty =
      block.type === "text"
        ? { type: "text", text: "" }
        : block.type === "thinking"
          ? { type: "thinking", thinking: "", signature: "" }
          : { ...block, input: {} };
    if (!(await send({ type: "content_block_start", index, content_block: empty }))) return false;
    const deltas =
      block.type === "text"
        ? (block.text.match(/\S+\s*|\s+/g) ?? []).map((text: string) => ({ type: "text_delta", text }))
        : block.type === "thinking"
          ? [
              { type: "thinking_delta", thinking: block.thinking },
              { type: "signature_delta", signature: block.signature },
            ]
          : (JSON.stringify(block.input).match(/.{1,7}/gs) ?? []).map((partial_json: string) => ({
              type: "input_json_delta",
              partial_json,
            }));
    for (const delta of deltas) if (!(await send({ type: "content_block_delta", index, delta }))) return false;
    if (!(await send({ type: "content_block_stop", index }))) return false;
  }
  if (
    !(await send({
      type: "message_delta",
      delta: { stop_reason: o.stop, stop_sequence: null },
      usage: { output_tokens: o.wire.output_tokens },
    }))
  )
    return false;
  if (!(await send({ type: "message_stop" }))) return false;
  sse.end();
  return true;
}

async function overloadedStream(res: ServerResponse, id: string, model: string): Promise<void> {
  const sse = startSse(res);
  const start = {
    id,
    type: "message",
    role: "assistant",
    model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 5, output_tokens: 1 },
  };
  await sse.send({ type: "message_start", message: start }, "message_start");
  await sse.send({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, "error");
  sse.end();
}

function blocksOf(r: AnthropicTestReply): any[] {
  const blocks: any[] = [];
  if (r.thinking) blocks.push({ type: "thinking", thinking: r.thinking, signature: "sig-test" });
  if (r.content) blocks.push({ type: "text", text: r.content });
  for (const [k, t] of (r.tool_use ?? []).entries())
    blocks.push({ type: "tool_use", id: t.id ?? `toolu_test_${k}`, name: t.name, input: t.input });
  return blocks;
}

/** The API's rules for extended thinking, so a request that breaks them fails here as it would there. */
function checkThinking(body: any): string | undefined {
  const t = body.thinking;
  if (t == null || t.type !== "enabled") return undefined;
  if (!Number.isInteger(t.budget_tokens) || t.budget_tokens < 1024)
    return "thinking.budget_tokens: Input should be greater than or equal to 1024";
  if (t.budget_tokens >= body.max_tokens) return "`max_tokens` must be greater than `thinking.budget_tokens`";
  if (body.temperature !== undefined && body.temperature !== 1)
    return "`temperature` may only be set to 1 when thinking is enabled";
  if (body.top_k !== undefined) return "`top_k` cannot be set when thinking is enabled";
  if (body.top_p !== undefined && body.top_p < 0.95) return "`top_p` must be >= 0.95 when thinking is enabled";
  const last = [...(body.messages ?? [])].reverse().find((m: any) => m.role === "assistant");
  const blocks = Array.isArray(last?.content) ? last.content : [];
  if (blocks.some((b: any) => b.type === "tool_use") && !["thinking", "redacted_thinking"].includes(blocks[0]?.type))
    return "Expected `thinking` or `redacted_thinking`, but found `tool_use`. When `thinking` is enabled, a final `assistant` message must start with a thinking block";
  return undefined;
}

function usageFor(body: any, r: AnthropicTestReply, cacheRead: number): ReportedUsage {
  let prompt = countTokens(textOf(body.system ?? ""));
  for (const m of body.messages ?? []) prompt += 3 + countTokens(textOf(m.content));
  const completion =
    r.output_tokens ??
    countTokens(r.content ?? "") +
      countTokens(r.thinking ?? "") +
      (r.tool_use ?? []).reduce((s, t) => s + 1 + countTokens(JSON.stringify(t.input).replace(/[{}":,]/g, " ")), 0);
  return { prompt_tokens: prompt, completion_tokens: completion, cached_tokens: Math.min(cacheRead, prompt) };
}

function anthropicError(status: number, message: string) {
  const type =
    status === 429
      ? "rate_limit_error"
      : status === 529
        ? "overloaded_error"
        : status >= 500
          ? "api_error"
          : status === 401
            ? "authentication_error"
            : status === 404
              ? "not_found_error"
              : "invalid_request_error";
  return { type: "error", error: { type, message } };
}
