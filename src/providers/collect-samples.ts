import { addUsage, emptyUsage } from "../accounting/usage.ts";
import { BudgetExceededError } from "../core/errors/budget-error.ts";
import { UpstreamError } from "../core/errors/upstream-error.ts";
import { contentText } from "../core/messages.ts";
import type { ChatRequest, Choice, RunContext, Usage } from "../core/types.ts";
import type { CallOutcome } from "./upstream-call.ts";
import type { ProviderDriver } from "./provider-driver.ts";
import type { sampleCache } from "./sample-cache.ts";

export interface Samples {
  choices: Choice[];
  usage: Usage;
  model?: string;
  upstreamId?: string;
  fingerprint?: string | null;
}

/**
 * Samples `offset..offset+n-1`: from the cache where present (each replay a span of its own), the
 * rest from the upstream, in one call with native `n` or one call each. A server that rejects `n`
 * (llama.cpp server, Ollama, some vLLM setups) is switched to single calls, once single calls work.
 */
export function sampleCollector(o: {
  id: string;
  driver: ProviderDriver;
  cached: ReturnType<typeof sampleCache>;
  call: (request: ChatRequest, ctx: RunContext, n: number, sampleIndex: number) => Promise<CallOutcome>;
}) {
  let nativeN = o.driver.capabilities.nativeN;
  const { cached, driver } = o;

  return async function collect(request: ChatRequest, ctx: RunContext, n: number, offset: number): Promise<Samples> {
    const out: Samples = { choices: new Array(n), usage: emptyUsage() };
    const missing: number[] = [];
    for (let i = 0; i < n; i++) {
      // A replay that does not fit the budget goes upstream like a miss, where the budget caps or refuses it.
      const hit = await cached.replay(request, ctx, offset + i);
      if (!hit) {
        missing.push(i);
        continue;
      }
      out.choices[i] = { ...hit.sample.choice, index: i };
      out.model ??= hit.sample.model;
      const span = ctx.span.child(o.id, "lm", {
        provider: driver.provider,
        model: driver.model,
        sample_index: offset + i,
        cache_hit: true,
        output: [contentText(hit.sample.choice.message.content)],
      });
      span.record(hit.usage);
      span.finish();
      ctx.budget.charge(hit.charge);
      addUsage(out.usage, hit.usage);
    }
    // Cache writes settle before the samples return; a failed one fails them, as a synchronous write did.
    const writes: Promise<unknown>[] = [];
    const take = ({ result, usage, maxTokens }: CallOutcome, indices: number[]) => {
      out.model ??= result.model;
      out.upstreamId ??= result.id;
      out.fingerprint ??= result.system_fingerprint;
      addUsage(out.usage, usage);
      const got = Math.min(indices.length, result.choices.length);
      for (let k = 0; k < got; k++) {
        const i = indices[k]!;
        out.choices[i] = { ...result.choices[k]!, index: i };
        writes.push(
          cached.store({ request, ctx, sampleIndex: offset + i, result, k, got, budgetCap: maxTokens }).then(
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
        rest = take(await o.call(request, ctx, rest.length, offset + rest[0]!), rest);
      } catch (error) {
        // A budget that cannot pay for all samples at once may pay for some: single calls keep what it affords.
        if (!BudgetExceededError.isInstance(error)) {
          if (!(UpstreamError.isInstance(error) && error.failure === "http" && error.status === 400)) throw error;
          rejectedN = true;
        }
      }
    }
    if (rest.length > 0) {
      const settled = await Promise.allSettled(
        rest.map((i) => o.call(request, ctx, 1, offset + i).then((r) => take(r, [i]))),
      );
      // Only when single calls work was it `n` the server refused, not something else in this request:
      // a bad request must not switch the LM (shared by every request of a server) to a call per sample.
      if (rejectedN && settled.some((s) => s.status === "fulfilled")) nativeN = false;
      const failed = settled.find((s) => s.status === "rejected") as PromiseRejectedResult | undefined;
      // Keep what did come back only when a budget stopped the rest; anything else is an error.
      if (failed && (!BudgetExceededError.isInstance(failed.reason) || !out.choices.some(Boolean))) throw failed.reason;
    }
    const failedWrite = (await Promise.all(writes)).find(Boolean) as { error: unknown } | undefined;
    if (failedWrite) throw failedWrite.error;
    out.choices = out.choices.filter(Boolean);
    return out;
  };
}
