import type { Context } from "hono";
import { createRunContext } from "../core/context.ts";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { ChatRequest, ChatResult, LM, RunContext } from "../core/types.ts";
import type { BudgetLimits } from "../budget/budget.ts";
import type { Caller } from "./access.ts";
import type { KeyAllowance } from "./key-budget.ts";
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

/** What every route that runs an LM needs: settings, the request LM resolver, the gate, the trace store. */
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
  /** Reserves a request's share of its key's budget before it runs (key-budget.ts). */
  allowance?: (caller: Caller, limits: BudgetLimits) => Promise<KeyAllowance>;
}

/** One request on its way: the LM, the request it is given, its run context and bookkeeping. */
export interface ChatRun {
  lm: LM;
  request: ChatRequest;
  ctx: RunContext;
  /** The `model` string answers carry: what the client sent. */
  model: string;
  /** The client asked for server-sent events. */
  stream: boolean;
  includeUsage: boolean;
  secrets: readonly string[];
  /** Record the trace and free the concurrency slot (idempotent); `result` is the answer, when there is one. */
  done(error?: unknown, result?: ChatResult): void;
}

/** What a route makes of its parsed body: the chat request to run and lmx's own settings. */
export interface RunPlan {
  model?: string;
  lmx?: LmxField;
  request: ChatRequest;
  stream: boolean;
  includeUsage?: boolean;
}

/**
 * The pipeline every LM route shares: read the body (size and time bounded, nesting checked) before a
 * concurrency slot is taken, so slow senders hold none; then `plan` it, resolve the LM (model spec,
 * `lmx.technique`), run it under the request's budget (the server's deadline and calls limit are caps a
 * client may only lower) and abort signal (the client leaving aborts the work), and record the trace.
 * `answer` turns the run into the route's response and must call `run.done` when the run ends.
 */
export function lmRoute<S>(
  deps: RunDeps,
  route: {
    name: string;
    /** The run a parsed body asks for, and what `answer` needs of it besides (`state`). */
    /** May be async: a plan may read stored state (a stored response's conversation). */
    plan(body: unknown, c: Context): (RunPlan & { state: S }) | Promise<RunPlan & { state: S }>;
    answer(run: ChatRun, c: Context, state: S): Promise<Response>;
  },
) {
  return async (c: Context): Promise<Response> => {
    // Watched before the body is read, so a client leaving mid-upload is seen too.
    const signal = clientSignal(c);
    const text = await readJsonText(c, deps.settings);
    const release = deps.gate.enter();
    let run: ChatRun | undefined;
    let allowance: KeyAllowance | undefined;
    try {
      const plan = await route.plan(parseJson(text), c);
      const lm = deps.resolveLM({ model: plan.model, technique: plan.lmx?.technique });
      const limits = requestLimits(deps.settings, plan.lmx);
      allowance = await deps.allowance?.(deps.callerOf?.(c) ?? { operator: false }, limits);
      run = startRun(deps, c, {
        ...plan,
        lm,
        allowance,
        budget: allowance?.limits ?? limits,
        name: route.name,
        signal,
        release,
      });
      return await route.answer(run, c, plan.state);
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

/** A request's body as text: size and time bounded, its JSON nesting checked (parse it with parseJson). */
export async function readJsonText(c: Context, settings: ServerConfig): Promise<string> {
  // The node request itself where there is one: a web Request per request is most of the adapter's cost.
  const text = await readBody(nodeRequest(c)?.incoming ?? c.req.raw, {
    maxBytes: settings.maxBodyBytes,
    timeoutMs: settings.limits.bodyReadMs,
  });
  if (jsonTooDeep(text, settings.limits.jsonDepth))
    throw new InvalidRequestError(`the body nests arrays and objects deeper than ${settings.limits.jsonDepth} levels`);
  return text;
}

function startRun(
  deps: RunDeps,
  c: Context,
  o: RunPlan & {
    lm: LM;
    budget: BudgetLimits;
    allowance?: KeyAllowance;
    name: string;
    signal: AbortSignal;
    release: () => void;
  },
): ChatRun {
  const { lm } = o;
  const shownModel = o.model?.trim() || deps.defaultModel || lm.id;
  const ctx = requestContext(deps, c, { ...o, model: shownModel, lm: lm.id });
  let finished = false;
  return {
    lm,
    request: o.request,
    ctx,
    model: shownModel,
    stream: o.stream,
    includeUsage: o.includeUsage === true,
    secrets: deps.secrets,
    done(error, result) {
      if (finished) return;
      finished = true;
      o.release();
      recordTrace(
        deps,
        { ctx, name: o.name, model: shownModel, lm: lm.id, stream: o.stream, signal: o.signal },
        error,
        result,
      );
      settleSpend(deps, o.allowance, ctx);
    },
  };
}

/** A request's run context: its budget (the client's `lmx.budget` under the server's caps), signal and root span. */
export function requestContext(
  deps: Pick<RunDeps, "settings" | "callerOf">,
  c: Context,
  o: {
    name: string;
    model: string;
    lm: string;
    stream: boolean;
    signal: AbortSignal;
    lmx?: LmxField;
    /** Limits already worked out (e.g. a key's allowance); default the client's `lmx.budget` under the caps. */
    budget?: BudgetLimits;
  },
): RunContext {
  const ctx = createRunContext({
    name: o.name,
    budget: o.budget ?? requestLimits(deps.settings, o.lmx),
    signal: o.signal,
  });
  const tenant = deps.callerOf?.(c).tenant;
  ctx.span.set({ model: o.model, lm: o.lm, stream: o.stream, ...(tenant ? { [TENANT_ATTRIBUTE]: tenant } : {}) });
  return ctx;
}

/**
 * Files a finished request's trace: `aborted` when the client left (whatever error its leaving caused),
 * else its error or how its answer ended. A host problem is logged with the trace id and recorded
 * without its detail, since the trace is the client's to read.
 */
export function recordTrace(
  deps: Pick<RunDeps, "traces" | "secrets" | "log">,
  o: { ctx: RunContext; name: string; model: string; lm: string; stream: boolean; signal: AbortSignal },
  error?: unknown,
  result?: ChatResult,
): void {
  const { span } = o.ctx;
  const host = error !== undefined && errorResponse(error).internal;
  if (host)
    deps.log?.(scrubSecrets(`lmx serve: ${o.name} (trace ${span.traceId}): ${errorDetail(error)}`, deps.secrets));
  const shown = error === undefined ? undefined : host ? errorResponse(error).body.error.message : describe(error);
  if (error) span.fail(shown);
  const aborted = o.signal.aborted;
  // The response never waits on the store; a failure to save is logged, never thrown.
  Promise.resolve(
    deps.traces.add({
      span,
      model: o.model,
      lm: o.lm,
      stream: o.stream,
      error: aborted ? undefined : shown,
      outcome: aborted ? "aborted" : outcomeOf(result),
    }),
  ).catch((e: unknown) =>
    deps.log?.(scrubSecrets(`lmx serve: cannot save trace ${span.traceId}: ${errorDetail(e)}`, deps.secrets)),
  );
}

/** A request's limits: the client's `lmx.budget` under the server's caps. */
export function requestLimits(settings: ServerConfig, lmx: LmxField | undefined): BudgetLimits {
  return requestBudget({ requested: lmx?.budget, caps: caps(settings) });
}

/** What a run spent goes back to its key's ledger (see key-budget.ts); a failure to settle is only logged. */
export function settleSpend(deps: Pick<RunDeps, "log">, allowance: KeyAllowance | undefined, ctx: RunContext): void {
  const spent = ctx.span.total;
  allowance
    ?.settle({ cost_usd: spent.cost_usd, tokens: spent.total_tokens, calls: spent.calls })
    .catch((e: unknown) => deps.log?.(`lmx serve: settling a key's spend failed: ${describe(e)}`));
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

export function parseJson(text: string): unknown {
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
