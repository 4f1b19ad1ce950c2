import { addUsage, emptyUsage } from "../../accounting/usage.ts";
import { BudgetExceededError } from "../../core/errors/budget-error.ts";
import { UpstreamError } from "../../core/errors/upstream-error.ts";
import type { ChatResult, Choice } from "../../core/types.ts";
import type { TechniqueRun } from "../define-technique.ts";
import { runStage, type StageOptions } from "./run-stage.ts";

/** The samples of a sampling stage that answered, and how many did not. */
export interface SampledStage {
  /** A result holding every sample that answered (indices renumbered from 0). */
  result: ChatResult;
  asked: number;
  /** Samples that failed after their retries (upstream errors). */
  failed: number;
  /** Samples a budget stopped. */
  cut: number;
}

/**
 * Asks for `n` samples and keeps those that answer when some fail after their retries: one call
 * when the LM samples `n` natively (falling back to one call per sample if that call fails), else
 * one call per sample, all at once, each with its own sample index (`sampleOffset + i`), as the
 * accounting path would split them. An upstream failure or a budget stop costs only its own sample;
 * only when no sample answered is it an error (the first one's). Aborts and bad requests fail the stage.
 * Failures are recorded on the technique span as a `samples failed` event. With `perCall`, more than
 * `perCall` samples are drawn as stages `name 1`, `name 2`, ... of at most `perCall` each.
 */
export async function sampleStage(options: StageOptions & { n: number; perCall?: number }): Promise<SampledStage> {
  const { run, name, request, n } = options;
  if (options.perCall !== undefined && n > options.perCall)
    return sampleInBatches({ ...options, perCall: options.perCall });
  const lm = options.lm ?? run.inner;
  if (n <= 1 || lm.capabilities.nativeN) {
    try {
      const result = await runStage({ ...options, request: { ...request, n } });
      return { result, asked: n, failed: 0, cut: Math.max(0, n - result.choices.length) };
    } catch (error) {
      if (n <= 1 || !degrades(error)) throw error;
      run.ctx.span.event("samples failed", {
        stage: name,
        asked: n,
        error: messageOf(error),
        retry: "one call per sample",
      });
    }
  }
  const base = options.sampleOffset ?? run.ctx.sampleOffset ?? 0;
  const settled = await Promise.allSettled(
    Array.from({ length: n }, (_, i) =>
      runStage({ ...options, name: `${name} ${i + 1}`, request: { ...request, n: 1 }, sampleOffset: base + i }),
    ),
  );
  const answered = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const rejected = settled.flatMap((s) => (s.status === "rejected" ? [s.reason as unknown] : []));
  const fatal = rejected.find((e) => !degrades(e) && !BudgetExceededError.isInstance(e));
  if (fatal !== undefined || answered.length === 0) throw fatal ?? rejected[0];
  const failed = rejected.filter((e) => degrades(e));
  if (failed.length > 0)
    run.ctx.span.event("samples failed", {
      stage: name,
      asked: n,
      failed: failed.length,
      answered: answered.length,
      errors: failed.slice(0, 5).map(messageOf),
    });
  return { result: merge(answered), asked: n, failed: failed.length, cut: rejected.length - failed.length };
}

/**
 * The answer chosen from a sample set, marked when the set is partial: finish_reason "budget" when
 * a budget stopped samples (as the accounting path's own cut), else "partial" when samples failed,
 * with a `stopped` or `partial` event on the technique span.
 */
export function markPartial(
  run: TechniqueRun,
  chosen: Choice,
  sampled: Pick<SampledStage, "asked" | "failed" | "cut"> & { got: number },
): Choice {
  const { got, asked, failed, cut } = sampled;
  if (cut > 0 || (failed === 0 && got < asked)) {
    run.ctx.span.event("stopped", { reason: "budget", samples: got, asked });
    return { ...chosen, finish_reason: "budget" };
  }
  if (failed === 0) return chosen;
  run.ctx.span.event("partial", { reason: "samples failed", samples: got, asked, failed });
  return { ...chosen, finish_reason: "partial" };
}

/** Failures a sample set survives: an upstream that kept failing after the retries. */
export function degrades(error: unknown): boolean {
  return UpstreamError.isInstance(error);
}

/**
 * `n` samples in batches of at most `perCall`, all in flight at once (the provider's limiter bounds
 * them), each at its own sample offset so no sample repeats; a batch that failed or that a budget
 * stopped counts its samples as failed or cut, as single samples do.
 */
async function sampleInBatches(options: StageOptions & { n: number; perCall: number }): Promise<SampledStage> {
  const { run, name, n, perCall } = options;
  const base = options.sampleOffset ?? run.ctx.sampleOffset ?? 0;
  const sizes = Array.from({ length: Math.ceil(n / perCall) }, (_, i) => Math.min(perCall, n - i * perCall));
  const settled = await Promise.allSettled(
    sizes.map((size, i) =>
      sampleStage({
        ...options,
        name: `${name} ${i + 1}`,
        n: size,
        perCall: undefined,
        sampleOffset: base + i * perCall,
      }),
    ),
  );
  const done = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const lost = settled.flatMap((s, i) =>
    s.status === "rejected" ? [{ error: s.reason as unknown, size: sizes[i]! }] : [],
  );
  const fatal = lost.find((l) => !degrades(l.error) && !BudgetExceededError.isInstance(l.error));
  if (fatal !== undefined || done.length === 0) throw (fatal ?? lost[0]!).error;
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  return {
    result: merge(done.map((d) => d.result)),
    asked: n,
    failed: sum(done.map((d) => d.failed)) + sum(lost.filter((l) => degrades(l.error)).map((l) => l.size)),
    cut: sum(done.map((d) => d.cut)) + sum(lost.filter((l) => !degrades(l.error)).map((l) => l.size)),
  };
}

function merge(results: ChatResult[]): ChatResult {
  const usage = emptyUsage();
  for (const r of results) addUsage(usage, r.usage);
  const choices = results.flatMap((r) => r.choices).map((c, index): Choice => ({ ...c, index }));
  return { ...results[0]!, choices, usage };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
