import { costOf, defaultPrices, lookupPrice, type PriceTable } from "../accounting/prices.ts";
import { estimatePromptTokens, estimateTextTokens } from "../accounting/estimate-tokens.ts";
import type { ResponseCache } from "../cache/response-cache.ts";
import { createRunContext } from "../core/context.ts";
import { AbortedError } from "../core/errors/aborted-error.ts";
import { BudgetExceededError } from "../core/errors/budget-error.ts";
import { UpstreamError } from "../core/errors/upstream-error.ts";
import { contentText } from "../core/messages.ts";
import type { ChatRequest, ChatResult, Choice, LM, RunContext, StreamEvent, Usage } from "../core/types.ts";
import { addUsage, emptyUsage } from "../accounting/usage.ts";
import type { Span } from "../trace/span.ts";
import type { DriverResult, ProviderDriver } from "./provider-driver.ts";
import { Limiter } from "./resilience/limiter.ts";
import { callSignal, translateAbort, withinTimeBudget } from "./resilience/call-signal.ts";
import { deriveSeed } from "./derive-seed.ts";
import { completionCap } from "./completion-cap.ts";
import { holdBudget } from "./hold-budget.ts";
import { sampleCache } from "./sample-cache.ts";
import { validateRequest } from "./validate-request.ts";
import { estimateUsage } from "./openai/estimate-usage.ts";
import { checkedUsage } from "./upstream-reply/checked-usage.ts";

export { deriveSeed };
import { waitBeforeRetry, withRetry, type RetryOptions } from "./resilience/retry.ts";

export interface ProviderOptions {
  /** Shared per-provider concurrency limit (a number makes a private one). */
  limiter?: Limiter | number;
  retry?: Omit<RetryOptions, "signal" | "onRetry">;
  /** Per-attempt timeout in ms (default 120 s). */
  timeoutMs?: number;
  /**
   * Longest one call may take across all its attempts and retry waits, in ms (default 180 s, or
   * timeoutMs when that is longer), so an upstream that never answers costs at most this, not
   * (retries + 1) × timeoutMs.
   */
  totalTimeoutMs?: number;
  prices?: PriceTable;
  cache?: ResponseCache;
}

/**
 * Wraps a driver into an LM. This is lmx's single accounting path: every upstream call is budget
 * checked before it is made, traced, timed, priced, retried, limited and cached here.
 */
export function defineProvider(driver: ProviderDriver, options: ProviderOptions = {}): LM {
  const id = `${driver.provider}:${driver.model}`;
  const limiter = options.limiter instanceof Limiter ? options.limiter : new Limiter(options.limiter ?? 8);
  const price = lookupPrice(id, options.prices ?? defaultPrices);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const totalTimeoutMs = options.totalTimeoutMs ?? Math.max(180_000, timeoutMs);
  const cached = sampleCache({ id, model: driver.model, price, cache: options.cache });
  let nativeN = driver.capabilities.nativeN;

  /** One upstream call producing `n` samples starting at `sampleIndex`. */
  async function call(
    request: ChatRequest,
    ctx: RunContext,
    n: number,
    sampleIndex: number,
  ): Promise<DriverResult & { maxTokens?: number }> {
    // Held until charged, so that concurrent calls cannot together spend more than the budget.
    const hold = await withinTimeBudget(ctx, (signal) =>
      holdBudget({
        budget: ctx.budget,
        signal,
        promptTokens: estimatePromptTokens(request),
        n,
        asked: completionCap(request),
        price,
      }),
    );
    try {
      return { ...(await reservedCall(request, ctx, n, sampleIndex, hold.maxTokens)), maxTokens: hold.maxTokens };
    } finally {
      hold.release();
    }
  }

  /** The request as sent upstream: max_tokens capped to what the budget affords, the sample's seed. */
  function prepare(
    request: ChatRequest,
    ctx: RunContext,
    n: number,
    sampleIndex: number,
    maxTokens: number | undefined,
  ) {
    const upstreamRequest: ChatRequest = { ...request, n };
    if (maxTokens !== undefined) upstreamRequest.max_tokens = maxTokens;
    const seed = deriveSeed(request.seed ?? ctx.seed, sampleIndex);
    if (seed !== undefined) upstreamRequest.seed = seed;
    return { upstreamRequest, seed };
  }

  async function reservedCall(
    request: ChatRequest,
    ctx: RunContext,
    n: number,
    sampleIndex: number,
    maxTokens: number | undefined,
  ): Promise<DriverResult> {
    const { upstreamRequest, seed } = prepare(request, ctx, n, sampleIndex, maxTokens);
    const span = ctx.span.child(id, "lm", {
      provider: driver.provider,
      model: driver.model,
      sample_index: sampleIndex,
      n,
      request: upstreamRequest,
    });
    const started = performance.now();
    try {
      const release = await withinTimeBudget(ctx, (signal) => limiter.acquire(signal));
      let result: DriverResult;
      try {
        const deadline = performance.now() + totalTimeoutMs;
        result = await withRetry(() => attempt(upstreamRequest, ctx, seed, sampleIndex, deadline), {
          ...options.retry,
          signal: ctx.signal,
          ...retryHooks(span, ctx, deadline),
        });
      } finally {
        release();
      }
      finishSpan(span, ctx, result, performance.now() - started);
      return result;
    } catch (error) {
      span.fail(error);
      throw error;
    }
  }

  /**
   * Retries are span events. A wait (backoff or Retry-After) that would outlast the time budget or
   * the call's deadline is not started: the upstream's error is thrown now, its Retry-After kept on it.
   */
  function retryHooks(span: Span, ctx: RunContext, deadline: number): Pick<RetryOptions, "onRetry" | "beforeWait"> {
    return {
      onRetry: ({ attempt, delayMs, error }) =>
        span.event("retry", { attempt, delay_ms: Math.round(delayMs), error: error.message }),
      beforeWait: (delayMs, error) => {
        const left = Math.min(ctx.budget.remainingMs() ?? Infinity, deadline - performance.now());
        if (left > delayMs) return;
        span.event("retry_skipped", { delay_ms: Math.round(delayMs), left_ms: Math.max(0, Math.round(left)) });
        throw error;
      },
    };
  }

  /** This attempt's timeout: the per-attempt one, cut to what is left of the call's deadline. */
  function attemptTimeout(deadline: number): number {
    const left = Math.floor(deadline - performance.now());
    if (left <= 0)
      throw new UpstreamError({
        provider: driver.provider,
        failure: "timeout",
        message: `no answer within ${totalTimeoutMs} ms (totalTimeoutMs)`,
      });
    return Math.min(timeoutMs, left);
  }

  /** Which limit an attempt of `ms` ran under, for its timeout's message. */
  const limitName = (ms: number) =>
    ms < timeoutMs ? `what was left of totalTimeoutMs ${totalTimeoutMs}` : "timeoutMs";

  async function attempt(
    request: ChatRequest,
    ctx: RunContext,
    seed: number | undefined,
    sampleIndex: number,
    deadline: number,
  ): Promise<DriverResult> {
    if (ctx.signal?.aborted) throw new AbortedError();
    ctx.budget.checkTime();
    const ms = attemptTimeout(deadline);
    const { signal, timedOut, dispose } = callSignal(ctx, ms);
    try {
      const result = await driver.complete(request, { signal, seed, sampleIndex });
      if (!Array.isArray(result.choices) || result.choices.length === 0)
        throw new UpstreamError({
          provider: driver.provider,
          failure: "malformed",
          message: "the response had no choices",
        });
      return withCheckedUsage(result, request);
    } catch (error) {
      throw translateAbort(error, ctx, timedOut(), driver.provider, ms, limitName(ms));
    } finally {
      dispose();
    }
  }

  function finishSpan(span: Span, ctx: RunContext, result: DriverResult, latencyMs: number): Usage {
    const usage = usageOf(result);
    if (result.usage.estimated) span.set({ usage_estimated: true });
    span.record(usage);
    ctx.budget.charge(usage);
    span.set({
      latency_ms: Math.round(latencyMs * 100) / 100,
      output: result.choices.map((c) => contentText(c.message.content)),
      finish_reasons: result.choices.map((c) => c.finish_reason),
    });
    span.finish();
    return usage;
  }

  function usageOf(result: DriverResult): Usage {
    const u = result.usage;
    return addUsage(emptyUsage(), {
      prompt_tokens: u.prompt_tokens,
      completion_tokens: u.completion_tokens,
      cached_tokens: u.cached_tokens ?? 0,
      calls: 1,
      cost_usd: costOf(price, u),
    });
  }

  /** Samples `offset..offset+n-1`: from the cache where present, the rest from the upstream. */
  async function samples(
    request: ChatRequest,
    ctx: RunContext,
    n: number,
    offset: number,
  ): Promise<{ choices: Choice[]; usage: Usage; model?: string; upstreamId?: string; fingerprint?: string | null }> {
    const usage = emptyUsage();
    const choices: Choice[] = new Array(n);
    let model: string | undefined;
    let upstreamId: string | undefined;
    let fingerprint: string | null | undefined;
    const missing: number[] = [];
    for (let i = 0; i < n; i++) {
      // A replay that does not fit the budget goes upstream like a miss, where the budget caps or refuses it.
      const hit = await cached.replay(request, ctx, offset + i);
      if (hit) {
        choices[i] = { ...hit.sample.choice, index: i };
        model ??= hit.sample.model;
        const span = ctx.span.child(id, "lm", {
          provider: driver.provider,
          model: driver.model,
          sample_index: offset + i,
          cache_hit: true,
          output: [contentText(hit.sample.choice.message.content)],
        });
        span.record(hit.usage);
        span.finish();
        ctx.budget.charge(hit.usage);
        addUsage(usage, hit.usage);
      } else missing.push(i);
    }
    // Cache writes settle before the call returns; a failed one fails it, as a synchronous write did.
    const writes: Promise<unknown>[] = [];
    const take = (result: DriverResult & { maxTokens?: number }, indices: number[]) => {
      model ??= result.model;
      upstreamId ??= result.id;
      fingerprint ??= result.system_fingerprint;
      addUsage(usage, usageOf(result));
      const got = Math.min(indices.length, result.choices.length);
      for (let k = 0; k < got; k++) {
        const i = indices[k]!;
        choices[i] = { ...result.choices[k]!, index: i };
        writes.push(
          cached.store({ request, ctx, sampleIndex: offset + i, result, k, got, budgetCap: result.maxTokens }).then(
            () => undefined,
            (error: unknown) => ({ error }),
          ),
        );
      }
      return indices.slice(got);
    };

    let rest = missing;
    let rejectedN = false;
    if (rest.length > 1 && nativeN) {
      try {
        rest = take(await call(request, ctx, rest.length, offset + rest[0]!), rest);
      } catch (error) {
        // A budget that cannot pay for all samples at once may pay for some: single calls keep what it affords.
        if (!BudgetExceededError.isInstance(error)) {
          // Servers that reject `n` (llama.cpp server, Ollama, some vLLM setups) get single calls instead.
          if (!(UpstreamError.isInstance(error) && error.failure === "http" && error.status === 400)) throw error;
          rejectedN = true;
        }
      }
    }
    if (rest.length > 0) {
      const settled = await Promise.allSettled(
        rest.map((i) => call(request, ctx, 1, offset + i).then((r) => take(r, [i]))),
      );
      // Only when single calls work was it `n` the server refused, not something else in this request:
      // a bad request must not switch the LM (shared by every request of a server) to a call per sample.
      if (rejectedN && settled.some((s) => s.status === "fulfilled")) nativeN = false;
      const failed = settled.find((s) => s.status === "rejected") as PromiseRejectedResult | undefined;
      if (failed) {
        // Keep what did come back only when a budget stopped the rest; anything else is an error.
        if (!BudgetExceededError.isInstance(failed.reason) || !choices.some(Boolean)) throw failed.reason;
      }
    }
    const failedWrite = (await Promise.all(writes)).find(Boolean) as { error: unknown } | undefined;
    if (failedWrite) throw failedWrite.error;
    return { choices: choices.filter(Boolean), usage, model, upstreamId, fingerprint };
  }

  async function complete(request: ChatRequest, ctx: RunContext = createRunContext({ name: id })): Promise<ChatResult> {
    validateRequest(request);
    if (ctx.signal?.aborted) throw new AbortedError();
    const n = request.n ?? 1;
    const out = await samples(request, ctx, n, ctx.sampleOffset ?? 0);
    return {
      id: out.upstreamId ?? `lmx-${ctx.span.id}`,
      model: out.model ?? driver.model,
      created: Math.floor(Date.now() / 1000),
      choices: out.choices,
      usage: out.usage,
      trace_id: ctx.span.traceId,
      system_fingerprint: out.fingerprint,
    };
  }

  async function* stream(
    request: ChatRequest,
    ctx: RunContext = createRunContext({ name: id }),
  ): AsyncIterable<StreamEvent> {
    validateRequest(request);
    const offset = ctx.sampleOffset ?? 0;
    if (!driver.stream || (request.n ?? 1) > 1 || (await cached.has(request, ctx, offset))) {
      const result = await complete(request, ctx);
      for (const choice of result.choices) {
        const text = contentText(choice.message.content);
        if (text || choice.message.tool_calls)
          yield {
            type: "delta",
            index: choice.index,
            content: text || undefined,
            tool_calls: choice.message.tool_calls?.map((t, index) => ({ index, ...t })),
          };
      }
      yield { type: "result", result };
      return;
    }
    yield* streamOnce(request, ctx, offset);
  }

  async function* streamOnce(request: ChatRequest, ctx: RunContext, offset: number): AsyncIterable<StreamEvent> {
    const hold = await withinTimeBudget(ctx, (signal) =>
      holdBudget({
        budget: ctx.budget,
        signal,
        promptTokens: estimatePromptTokens(request),
        n: 1,
        asked: completionCap(request),
        price,
      }),
    );
    const reservation = hold.release;
    const { upstreamRequest, seed } = prepare(request, ctx, 1, offset, hold.maxTokens);
    const span = ctx.span.child(id, "lm", {
      provider: driver.provider,
      model: driver.model,
      sample_index: offset,
      n: 1,
      stream: true,
      request: upstreamRequest,
    });
    const started = performance.now();
    const release = await withinTimeBudget(ctx, (signal) => limiter.acquire(signal)).catch((error) => {
      reservation();
      span.fail(error);
      throw error;
    });
    let final: DriverResult | undefined;
    let yielded = false;
    let settled = false;
    let streamed = "";
    // A stream cut off after text was generated was paid for, though no usage came back: charge an estimate.
    const chargeCutOff = () => {
      if (!yielded) return;
      const prompt = estimatePromptTokens(request);
      const completion = Math.ceil(estimateTextTokens(streamed));
      const usage = {
        prompt_tokens: prompt,
        completion_tokens: completion,
        calls: 1,
        cost_usd: costOf(price, { prompt_tokens: prompt, completion_tokens: completion }),
      };
      span.set({ usage_estimated: true });
      span.record(usage);
      ctx.budget.charge(usage);
    };
    const deadline = performance.now() + totalTimeoutMs;
    try {
      for (let attemptNo = 0; ; attemptNo++) {
        ctx.budget.checkTime();
        // Each attempt gets its own timeout, as in complete().
        const ms = attemptTimeout(deadline);
        const { signal, timedOut, dispose } = callSignal(ctx, ms);
        try {
          for await (const event of driver.stream!(upstreamRequest, { signal, seed, sampleIndex: offset })) {
            if (event.type === "done") final = withCheckedUsage(event.result, upstreamRequest);
            else {
              if (event.type === "delta") {
                yielded = true;
                streamed +=
                  (event.content ?? "") +
                  (event.tool_calls ?? [])
                    .map((t) => (t.function?.name ?? "") + (t.function?.arguments ?? ""))
                    .join("");
              }
              yield event;
            }
          }
          break;
        } catch (error) {
          const e = translateAbort(error, ctx, timedOut(), driver.provider, ms, limitName(ms));
          // Once text reached the caller a retry would repeat it, so only retry before the first delta.
          if (yielded) throw e;
          // The same backoff and Retry-After as complete(); throws when `e` is not worth another try.
          await waitBeforeRetry(e, attemptNo, {
            ...options.retry,
            signal: ctx.signal,
            ...retryHooks(span, ctx, deadline),
          });
        } finally {
          dispose();
        }
      }
      if (!final)
        throw new UpstreamError({
          provider: driver.provider,
          failure: "malformed",
          message: "the stream ended without a final result",
        });
      settled = true;
      const usage = finishSpan(span, ctx, final, performance.now() - started);
      await cached.store({ request, ctx, sampleIndex: offset, result: final, k: 0, got: 1, budgetCap: hold.maxTokens });
      yield {
        type: "result",
        result: {
          id: final.id ?? `lmx-${span.id}`,
          model: final.model ?? driver.model,
          created: Math.floor(Date.now() / 1000),
          choices: final.choices.map((c, index) => ({ ...c, index })),
          usage,
          trace_id: ctx.span.traceId,
          system_fingerprint: final.system_fingerprint,
        },
      };
    } catch (error) {
      settled = true;
      chargeCutOff();
      span.fail(error);
      throw error;
    } finally {
      // The reader stopped before the end (a `break`, a closed response): the call still happened.
      if (!settled) {
        chargeCutOff();
        span.set({ stopped: "the reader stopped before the end of the stream" });
        span.finish();
      }
      release();
      reservation();
    }
  }

  const lm: LM & { driver: ProviderDriver } = { id, capabilities: driver.capabilities, complete, stream, driver };
  return lm;
}

/**
 * The result with its usage checked once more here, whatever the driver (a custom one, a scripted
 * model): counts that are not non-negative integers are estimated, so no budget is charged "10" or 1e308.
 */
function withCheckedUsage(result: DriverResult, request: ChatRequest): DriverResult {
  const estimate = () => estimateUsage({ request, choices: result.choices });
  const u = result.usage;
  if (!u || typeof u !== "object") return { ...result, usage: estimate() };
  const checked = checkedUsage(u, estimate);
  if (u.estimated) checked.estimated = true;
  return { ...result, usage: checked };
}
