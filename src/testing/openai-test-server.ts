import type { ServerResponse } from "node:http";
import { hashedEmbedding } from "./hashed-embedding.ts";
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
export interface OpenAITestReply {
  content?: string | null;
  tool_calls?: { id?: string; name: string; arguments: string | Record<string, unknown> }[];
  finish_reason?: string;
  /** Extra message fields, e.g. `refusal` or `reasoning_content`. */
  extra?: Record<string, unknown>;
  /** Completion tokens to report for this choice (default: words of content, reasoning and tool calls). */
  completion_tokens?: number;
  /** Reasoning apart from the answer, as DeepSeek-style servers send it (streamed before the content). */
  reasoning_content?: string;
  /** Reasoning tokens to report in `completion_tokens_details` (default: words of reasoning_content). */
  reasoning_tokens?: number;
}

/** Answers choice after choice; `index` counts every choice the server has produced (0, 1, 2 …). */
export type OpenAIReply = (request: any, index: number) => string | OpenAITestReply | Promise<string | OpenAITestReply>;

export interface OpenAITestBehaviour extends TestServerFaults {
  /** Answer `n > 1` with a 400, as llama.cpp's server does. */
  rejectN?: boolean;
  /** Return at most this many choices, whatever `n` asked for. */
  maxChoices?: number;
  /** Leave `usage` out of answers (some local servers do). */
  omitUsage?: boolean;
  /** Prompt tokens to report as served from the upstream's cache (`prompt_tokens_details.cached_tokens`). */
  cachedTokens?: number;
}

export interface ReportedUsage {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  /** Reported only by answers scripted with reasoning. */
  reasoning_tokens?: number;
}

export interface OpenAITestServer {
  /** Base URL ending in `/v1`, for `baseURL`. */
  url: string;
  requests: RecordedRequest[];
  /** The usage of every answer sent, in order (nothing for failed or dropped requests). */
  reported: ReportedUsage[];
  /** Mutable: switch faults and behaviour between calls. */
  behaviour: OpenAITestBehaviour;
  close(): Promise<void>;
}

/**
 * A real OpenAI-compatible HTTP server on 127.0.0.1 for tests and benchmarks: chat completions
 * (JSON and SSE streaming, n, tools, logprobs), `GET /v1/models` and `POST /v1/embeddings`
 * (deterministic hashed bag-of-words vectors), with switchable faults.
 */
export async function startOpenAITestServer(
  options: {
    reply?: OpenAIReply;
    behaviour?: OpenAITestBehaviour;
    /** Ids listed by GET /v1/models (default ["test-model"]). */
    models?: string[];
    embeddingDimensions?: number;
  } = {},
): Promise<OpenAITestServer> {
  const reply = options.reply ?? ((_r: unknown, i: number) => `answer ${i}`);
  const behaviour: OpenAITestBehaviour = { ...options.behaviour };
  const models = options.models ?? ["test-model"];
  const reported: ReportedUsage[] = [];
  let produced = 0;
  let ids = 0;

  const kit = await startKitServer({
    faults: behaviour,
    errorBody: openaiError,
    async handle({ res, record }) {
      const { method, path } = record;
      if (method === "GET" && path === "/v1/models")
        return sendJson(res, 200, {
          object: "list",
          data: models.map((id) => ({ id, object: "model", created: 0, owned_by: "lmx-test" })),
        });
      if (method === "POST" && path === "/v1/embeddings")
        return embeddings(res, record.body, options.embeddingDimensions);
      if (method !== "POST" || path !== "/v1/chat/completions")
        return sendJson(res, 404, openaiError(404, `no route ${method} ${path}`));

      const body = record.body;
      const n = body.n ?? 1;
      if (behaviour.rejectN && n > 1)
        return sendJson(res, 400, openaiError(400, "Only one completion choice is allowed"));
      if (behaviour.malformed === "invalid-json") {
        if (body.stream) return void (await sendMalformedStream(res));
        return sendJson(
          res,
          200,
          '{"id":"chatcmpl-broken","object":"chat.completion","choices":[{"index":0,"message":',
        );
      }
      if (behaviour.malformed === "incomplete")
        return sendJson(res, 200, { id: "chatcmpl-incomplete", object: "chat.completion", created: now() });

      const count = Math.min(n, behaviour.maxChoices ?? n);
      const replies: OpenAITestReply[] = [];
      for (let k = 0; k < count; k++) {
        const r = await reply(body, produced++);
        replies.push(typeof r === "string" ? { content: r } : r);
      }
      const usage = usageFor(body, replies, behaviour.cachedTokens ?? 0);
      const id = `chatcmpl-test-${++ids}`;
      const model = body.model ?? models[0];
      if (body.stream) {
        const ok = await streamAnswer({
          res,
          id,
          model,
          replies,
          body,
          usage: behaviour.omitUsage ? undefined : usage,
          faults: behaviour,
        });
        if (ok) reported.push(usage);
        return;
      }
      reported.push(usage);
      sendJson(res, 200, {
        id,
        object: "chat.completion",
        created: now(),
        model,
        system_fingerprint: "fp_lmx_test",
        choices: replies.map((r, index) => ({
          index,
          message: messageOf(r),
          finish_reason: finishOf(r),
          logprobs: body.logprobs ? { content: logprobsOf(r.content ?? "", body.top_logprobs ?? 0) } : null,
        })),
        ...(behaviour.omitUsage ? {} : { usage: wireUsage(usage) }),
      });
    },
  });
  return { url: `${kit.origin}/v1`, requests: kit.requests, reported, behaviour, close: kit.close };
}

async function streamAnswer(o: {
  res: ServerResponse;
  id: string;
  model: string;
  replies: OpenAITestReply[];
  body: any;
  usage?: ReportedUsage;
  faults: TestServerFaults;
}): Promise<boolean> {
  const sse = startSse(o.res, o.faults);
  const includeUsage = o.body.stream_options?.include_usage === true;
  const chunk = (choices: unknown[], usage?: unknown) => ({
    id: o.id,
    object: "chat.completion.chunk",
    created: now(),
    model: o.model,
    system_fingerprint: "fp_lmx_test",
    choices,
    ...(includeUsage ? { usage: usage ?? null } : {}),
  });
  for (const [index, r] of o.replies.entries()) {
    if (!(await sse.send(chunk([{ index, delta: { role: "assistant", content: "" }, finish_reason: null }]))))
      return false;
    for (const piece of (r.reasoning_content ?? "").match(/\S+\s*|\s+/g) ?? [])
      if (!(await sse.send(chunk([{ index, delta: { reasoning_content: piece }, finish_reason: null }])))) return false;
    for (const piece of (r.content ?? "").match(/\S+\s*|\s+/g) ?? []) {
      const logprobs = o.body.logprobs ? { content: logprobsOf(piece, o.body.top_logprobs ?? 0) } : null;
      if (!(await sse.send(chunk([{ index, delta: { content: piece }, logprobs, finish_reason: null }])))) return false;
    }
    for (const [k, call] of toolCallsOf(r).entries()) {
      const head = { index: k, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } };
      if (!(await sse.send(chunk([{ index, delta: { tool_calls: [head] }, finish_reason: null }])))) return false;
      // Arguments arrive in fragments, as real servers send them.
      for (const fragment of call.function.arguments.match(/.{1,7}/gs) ?? [])
        if (
          !(await sse.send(
            chunk([
              { index, delta: { tool_calls: [{ index: k, function: { arguments: fragment } }] }, finish_reason: null },
            ]),
          ))
        )
          return false;
    }
    for (const [key, value] of Object.entries(r.extra ?? {}))
      if (
        typeof value === "string" &&
        !(await sse.send(chunk([{ index, delta: { [key]: value }, finish_reason: null }])))
      )
        return false;
    if (!(await sse.send(chunk([{ index, delta: {}, finish_reason: finishOf(r) }])))) return false;
  }
  if (includeUsage && o.usage && !(await sse.send(chunk([], wireUsage(o.usage))))) return false;
  if (!(await sse.send("[DONE]"))) return false;
  sse.end();
  return true;
}

async function sendMalformedStream(res: ServerResponse): Promise<void> {
  const sse = startSse(res);
  await sse.send('{"id":"chatcmpl-broken","choices":[{"index":0,"delta":{"content":"Hel');
  sse.end();
}

function embeddings(res: ServerResponse, body: any, dimensions = 256): void {
  const inputs: unknown[] = Array.isArray(body.input) ? body.input : [body.input];
  if (inputs.length === 0 || inputs.some((x) => typeof x !== "string"))
    return sendJson(res, 400, openaiError(400, "input must be a string or an array of strings"));
  const texts = inputs as string[];
  const data = texts.map((text, index) => {
    const vector = hashedEmbedding({ text, dimensions: body.dimensions ?? dimensions });
    const embedding =
      body.encoding_format === "base64" ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector;
    return { object: "embedding", index, embedding };
  });
  const tokens = texts.reduce((sum, t) => sum + countTokens(t), 0);
  sendJson(res, 200, {
    object: "list",
    data,
    model: body.model ?? "test-embedding",
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

function usageFor(body: any, replies: OpenAITestReply[], cached: number): ReportedUsage {
  let prompt = 0;
  for (const m of body.messages ?? [])
    prompt += 3 + countTokens(textOf(m.content)) + (m.tool_calls ? countTokens(JSON.stringify(m.tool_calls)) : 0);
  let completion = 0;
  let reasoning: number | undefined;
  for (const r of replies) {
    const thought = r.reasoning_tokens ?? (r.reasoning_content ? countTokens(r.reasoning_content) : undefined);
    if (thought !== undefined) reasoning = (reasoning ?? 0) + thought;
    completion +=
      r.completion_tokens ??
      countTokens(r.content ?? "") +
        (thought ?? 0) +
        toolCallsOf(r).reduce((s, t) => s + 1 + countTokens(t.function.arguments.replace(/[{}":,]/g, " ")), 0);
  }
  const usage: ReportedUsage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    cached_tokens: Math.min(cached, prompt),
  };
  if (reasoning !== undefined) usage.reasoning_tokens = reasoning;
  return usage;
}

function wireUsage(u: ReportedUsage) {
  return {
    prompt_tokens: u.prompt_tokens,
    completion_tokens: u.completion_tokens,
    total_tokens: u.prompt_tokens + u.completion_tokens,
    prompt_tokens_details: { cached_tokens: u.cached_tokens },
    ...(u.reasoning_tokens !== undefined
      ? { completion_tokens_details: { reasoning_tokens: u.reasoning_tokens } }
      : {}),
  };
}

function toolCallsOf(r: OpenAITestReply) {
  return (r.tool_calls ?? []).map((t, k) => ({
    id: t.id ?? `call_test_${k}`,
    type: "function" as const,
    function: { name: t.name, arguments: typeof t.arguments === "string" ? t.arguments : JSON.stringify(t.arguments) },
  }));
}

function messageOf(r: OpenAITestReply) {
  const calls = toolCallsOf(r);
  return {
    role: "assistant",
    content: r.content ?? null,
    ...(r.reasoning_content !== undefined ? { reasoning_content: r.reasoning_content } : {}),
    ...(calls.length ? { tool_calls: calls } : {}),
    ...r.extra,
  };
}

function finishOf(r: OpenAITestReply): string {
  return r.finish_reason ?? (r.tool_calls?.length ? "tool_calls" : "stop");
}

/** Deterministic logprobs: the k-th word gets -0.1·(k+1), with `top` alternatives below it. */
function logprobsOf(text: string, top: number) {
  return (text.match(/\S+\s*/g) ?? []).map((token, k) => {
    const logprob = -0.1 * (k + 1);
    return {
      token,
      logprob,
      bytes: [...Buffer.from(token)],
      top_logprobs: Array.from({ length: top }, (_, j) => ({
        token: j === 0 ? token : `${token}~${j}`,
        logprob: logprob - j,
        bytes: null,
      })),
    };
  });
}

function openaiError(status: number, message: string) {
  const type = status === 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : "invalid_request_error";
  return { error: { message, type, param: null, code: status === 429 ? "rate_limit_exceeded" : null } };
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}
