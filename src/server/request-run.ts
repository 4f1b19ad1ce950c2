import type { Context } from "hono";
import { createRunContext } from "../core/context.ts";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { ChatRequest, ChatResult, LM, RunContext } from "../core/types.ts";
import type { Caller } from "./access.ts";
import type { LmxField } from "./chat-body-schema.ts";
import type { ConcurrencyGate } from "./concurrency-gate.ts";
import { errorDetail, errorResponse } from "./error-response.ts";
import { jsonTooDeep } from "./json-depth.ts";
import { clientSignal, nodeRequest } from "./node-request.ts";
import { readBody } from "./read-body.ts";
import { requestBudget } from "./request-budget.ts";
import type { RequestLMResolver } from "./request-lm.ts";
import { scrubSecrets } from "./scrub-secrets.ts";
import type { ServerConfig } from "./server-config.ts";
import { TENANT_ATTRIBUTE } from "./tenant-traces.ts";
import type { TraceStore } from "./trace-store.ts";

/** What every route that runs an LM needs from the server. */
export interface RunDeps {
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
}

/** One request on its way: the LM, the request it is given, its run context and bookkeeping. */
export interface ChatRun {
  lm: LM;
  request: ChatRequest;
  ctx: RunContext;
  /** The `model` string answers carry: what the client sent. */
  model: string;
  stream: boolean;
  includeUsage: boolean;
  secrets: readonly string[];
  /** Record the trace and free the concurrency slot (idempotent); `result` is the answer, when there is one. */
  done(error?: unknown, result?: ChatResult): void;
}

/** A route's reading of a valid body: the core request and lmx's settings for it. */
export interface RunSpec {
  model?: string;
  lmx?: LmxField;
  stream: boolean;
  includeUsage?: boolean;
  request: ChatRequest;
}

/**
 * The pipeline every LM route shares, whatever its wire shape: the body is read (size and time
 * bounded), checked and parsed before a concurrency slot is taken, so slow senders hold none;
 * `prepare` validates and converts it; `model` (+ `lmx.technique`) resolves to an LM run under a
 * per-request budget and the client's abort signal; `respond` answers and calls `run.done`. The
 * trace is recorded and the slot freed however the request ends.
 */
export async function runRequest(
  deps: RunDeps,
  c: Context,
  route: { name: string; prepare(body: unknown): RunSpec; respond(run: ChatRun): Promise<Response> },
): Promise<Response> {
  // Watched before the body is read, so a client leaving mid-upload is seen too.
  const signal = clientSignal(c);
  const body = await readJsonBody(c, deps.settings);
  const release = deps.gate.enter();
  let run: ChatRun | undefined;
  try {
    const { model, lmx, stream, includeUsage, request } = route.prepare(body);
    const lm = deps.resolveLM({ model, technique: lmx?.technique });
    const shownModel = model?.trim() || deps.defaultModel || lm.id;
    const ctx = createRunContext({
      name: route.name,
      budget: requestBudget({ requested: lmx?.budget, caps: caps(deps.settings) }),
      signal,
    });
    const tenant = deps.callerOf?.(c).tenant;
    ctx.span.set({ model: shownModel, lm: lm.id, stream, ...(tenant ? { [TENANT_ATTRIBUTE]: tenant } : {}) });
    let finished = false;
    run = {
      lm,
      request,
      ctx,
      model: shownModel,
      stream,
      includeUsage: includeUsage === true,
      secrets: deps.secrets,
      done(error, result) {
        if (finished) return;
        finished = true;
        release();
        const host = error !== undefined && errorResponse(error).internal;
        if (host)
          deps.log?.(
            scrubSecrets(`lmx serve: ${route.name} (trace ${ctx.span.traceId}): ${errorDetail(error)}`, deps.secrets),
          );
        // The trace is the client's to read: a host problem is recorded there without its detail.
        const shown =
          error === undefined ? undefined : host ? errorResponse(error).body.error.message : describe(error);
        if (error) ctx.span.fail(shown);
        deps.traces.add({
          span: ctx.span,
          model: shownModel,
          lm: lm.id,
          stream,
          error: shown,
          outcome: signal.aborted ? "aborted" : outcomeOf(result),
        });
      },
    };
    return await route.respond(run);
  } catch (error) {
    if (run) {
      run.done(error);
      // The failed run's trace is kept too; say where.
      c.header("x-lmx-trace-id", run.ctx.span.traceId);
    } else release();
    throw error;
  }
}

/**
 * A request's JSON body, read within the server's size and time limits and checked for nesting
 * before it is parsed (so a hostile body never reaches a recursive walker).
 */
export async function readJsonBody(c: Context, settings: ServerConfig): Promise<unknown> {
  const text = await readBody(nodeRequest(c)?.incoming ?? c.req.raw, {
    maxBytes: settings.maxBodyBytes,
    timeoutMs: settings.limits.bodyReadMs,
  });
  if (jsonTooDeep(text, settings.limits.jsonDepth))
    throw new InvalidRequestError(`the body nests arrays and objects deeper than ${settings.limits.jsonDepth} levels`);
  return parseJson(text);
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
