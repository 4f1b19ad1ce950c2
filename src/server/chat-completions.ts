import type { Context } from "hono";
import { createRunContext } from "../core/context.ts";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { BudgetLimits } from "../budget/budget.ts";
import type { ChatRequest, ChatResult, LM, RunContext } from "../core/types.ts";
import { chatBodySchema, dropNullSettings, validateChatBody, type LmxField } from "./chat-body-schema.ts";
import type { Caller } from "./access.ts";
import type { KeyAllowance } from "./key-budget.ts";
import type { ConcurrencyGate } from "./concurrency-gate.ts";
import { errorDetail, errorResponse } from "./error-response.ts";
import { jsonTooDeep } from "./json-depth.ts";
import { readBody } from "./read-body.ts";
import { scrubSecrets } from "./scrub-secrets.ts";
import { accountingHeaders, completionBody } from "./openai-shapes.ts";
import { requestBudget } from "./request-budget.ts";
import type { RequestLMResolver } from "./request-lm.ts";
import type { ServerConfig } from "./server-config.ts";
import { sseResponse } from "./sse-response.ts";
import { TENANT_ATTRIBUTE } from "./tenant-traces.ts";
import type { TraceStore } from "./trace-store.ts";

export interface ChatCompletionsDeps {
  settings: ServerConfig;
  resolveLM: RequestLMResolver;
  gate: ConcurrencyGate;
  traces: TraceStore;
  /** The model a request without one runs on (shown as its `model`). */
  defaultModel?: string;
  /** Exact strings never to show a client (upstream keys). */
  secrets: readonly string[];
  /** Who sent the request (its traces are filed under its tenant). */
  callerOf?: (c: Context) => Caller;
  /** Where host problems of a run go, with its trace id (clients get a fixed message). */
  log?: (line: string) => void;
  /** Reserves the request's share of its key's budget (see key-budget.ts). */
  allowance?: (caller: Caller, limits: BudgetLimits) => Promise<KeyAllowance>;
}

/** One request on its way: the LM, the request it is given, its run context and bookkeeping. */
export interface ChatRun {
  lm: LM;
  request: ChatRequest;
  ctx: RunContext;
  /** The `model` string answers carry: what the client sent. */
  model: string;
  includeUsage: boolean;
  secrets: readonly string[];
  /** Record the trace and free the concurrency slot (idempotent); `result` is the answer, when there is one. */
  done(error?: unknown, result?: ChatResult): void;
}

/**
 * `POST /v1/chat/completions`: validates the body, resolves `model` (+ `lmx.technique`) to an LM,
 * runs it under a per-request budget and abort signal (the client leaving aborts the work) and
 * answers in the OpenAI shape, as JSON or as server-sent events. The body is read (size and time
 * bounded) and its nesting checked before a concurrency slot is taken, so slow senders hold none;
 * the server's deadline (`limits.requestMs`) is the time budget a client may only lower.
 */
export function chatCompletionsHandler(deps: ChatCompletionsDeps) {
  const schema = chatBodySchema({ maxN: deps.settings.maxN });
  return async (c: Context): Promise<Response> => {
    // Touching the signal first makes the node adapter abort it when the client disconnects.
    const clientSignal = c.req.raw.signal;
    const text = await readBody(c.req.raw, {
      maxBytes: deps.settings.maxBodyBytes,
      timeoutMs: deps.settings.limits.bodyReadMs,
    });
    if (jsonTooDeep(text, deps.settings.limits.jsonDepth))
      throw new InvalidRequestError(
        `the body nests arrays and objects deeper than ${deps.settings.limits.jsonDepth} levels`,
      );
    const release = deps.gate.enter();
    let run: ChatRun | undefined;
    let allowance: KeyAllowance | undefined;
    try {
      const body = parseJson(text);
      validateChatBody(schema, body);
      const { model, lmx, stream, stream_options, ...request } = dropNullSettings(
        body as Record<string, unknown>,
      ) as ChatRequest & { lmx?: LmxField; stream?: boolean; stream_options?: { include_usage?: boolean } | null };
      const lm = deps.resolveLM({ model, technique: lmx?.technique });
      const shownModel = model?.trim() || deps.defaultModel || lm.id;
      const caller = deps.callerOf?.(c) ?? { operator: false };
      const limits = requestBudget({ requested: lmx?.budget, caps: caps(deps.settings) });
      allowance = deps.allowance ? await deps.allowance(caller, limits) : undefined;
      const ctx = createRunContext({
        name: "POST /v1/chat/completions",
        budget: allowance?.limits ?? limits,
        signal: clientSignal,
      });
      const tenant = caller.tenant;
      ctx.span.set({
        model: shownModel,
        lm: lm.id,
        stream: stream === true,
        ...(tenant ? { [TENANT_ATTRIBUTE]: tenant } : {}),
      });
      let finished = false;
      run = {
        lm,
        request: request as ChatRequest,
        ctx,
        model: shownModel,
        includeUsage: stream_options?.include_usage === true,
        secrets: deps.secrets,
        done(error, result) {
          if (finished) return;
          finished = true;
          release();
          const spent = ctx.span.total;
          allowance
            ?.settle({ cost_usd: spent.cost_usd, tokens: spent.total_tokens, calls: spent.calls })
            .catch((e: unknown) => deps.log?.(`lmx serve: settling a key's spend failed: ${describe(e)}`));
          const host = error !== undefined && errorResponse(error).internal;
          if (host)
            deps.log?.(
              scrubSecrets(
                `lmx serve: POST /v1/chat/completions (trace ${ctx.span.traceId}): ${errorDetail(error)}`,
                deps.secrets,
              ),
            );
          // The trace is the client's to read: a host problem is recorded there without its detail.
          const shown =
            error === undefined ? undefined : host ? errorResponse(error).body.error.message : describe(error);
          if (error) ctx.span.fail(shown);
          // The response never waits on the store; a failure to save is logged, never thrown.
          deps.traces
            .add({
              span: ctx.span,
              model: shownModel,
              lm: lm.id,
              stream: stream === true,
              error: shown,
              outcome: clientSignal.aborted ? "aborted" : outcomeOf(result),
            })
            .catch((e: unknown) =>
              deps.log?.(
                scrubSecrets(`lmx serve: cannot save trace ${ctx.span.traceId}: ${errorDetail(e)}`, deps.secrets),
              ),
            );
        },
      };
      if (stream === true) return await sseResponse(run);
      const result = await lm.complete(run.request, ctx);
      const usage = { ...ctx.span.total };
      run.done(undefined, result);
      return c.json(
        completionBody({ result, model: shownModel, usage }),
        200,
        accountingHeaders(usage, ctx.span.traceId, result),
      );
    } catch (error) {
      if (run) {
        run.done(error);
        // The failed run's trace is kept too; say where.
        c.header("x-lmx-trace-id", run.ctx.span.traceId);
      } else release();
      throw allowance ? allowance.explain(error) : error;
    }
  };
}

/** How a run that answered ended, when not plainly: a budget stop or an abort of the first choice. */
function outcomeOf(result: ChatResult | undefined): "aborted" | "budget" | undefined {
  const reason = result?.choices[0]?.finish_reason;
  if (reason === "budget") return "budget";
  return reason === "aborted" ? "aborted" : undefined;
}

/** The server's budget caps, with its deadline as the time cap and its calls limit as the calls cap. */
function caps(settings: ServerConfig) {
  const time = Math.min(settings.maxBudget?.time_ms ?? Infinity, settings.limits.requestMs);
  const calls = Math.min(settings.maxBudget?.calls ?? Infinity, settings.limits.requestCalls);
  return { ...settings.maxBudget, time_ms: time, calls };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // The parser's message quotes the body; the client has it already, but keep the answer short.
    throw new InvalidRequestError(`the body is not valid JSON: ${(error as Error).message.slice(0, 200)}`, {
      cause: error,
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
