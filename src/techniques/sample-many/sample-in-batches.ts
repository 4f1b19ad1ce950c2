import { z } from "zod";
import { addUsage, emptyUsage } from "../../accounting/usage.ts";
import { BudgetExceededError } from "../../core/errors/budget-error.ts";
import type { ChatRequest, ChatResult } from "../../core/types.ts";
import type { TechniqueRun } from "../define-technique.ts";
import { runStage } from "../stage/run-stage.ts";

/** Most samples one request asks for by default: OpenAI's limit for `n`. */
export const DEFAULT_PER_CALL = 128;

/** The `per_call` technique option: the most samples asked for in one request. */
export const perCallOption = z.int().min(1).max(1000).default(DEFAULT_PER_CALL).describe("Most samples asked for in one request; more are drawn in several requests at fresh sample offsets (OpenAI accepts n up to 128).");

/**
 * `n` samples of `request` as one result: one stage when `n <= perCall` (named `name`), else stages
 * `name 1`, `name 2`, ... of at most `perCall` samples each, all in flight at once (the provider's
 * limiter bounds them) and each at its own sample offset so no sample repeats. Choices come back in
 * sample order; fewer than `n` means a budget stopped some.
 */
export async function sampleInBatches(options: { run: TechniqueRun; name: string; request: ChatRequest; n: number; perCall: number; sampleOffset?: number }): Promise<ChatResult> {
  const { run, name, request, n, perCall } = options;
  const base = options.sampleOffset ?? run.ctx.sampleOffset;
  if (n <= perCall) return runStage({ run, name, request: { ...request, n }, ...(base === undefined ? {} : { sampleOffset: base }) });
  const starts = Array.from({ length: Math.ceil(n / perCall) }, (_, i) => i * perCall);
  const settled = await Promise.allSettled(
    starts.map((start, i) => runStage({ run, name: `${name} ${i + 1}`, request: { ...request, n: Math.min(perCall, n - start) }, sampleOffset: (base ?? 0) + start })),
  );
  const results = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  // A budget that paid for some batches leaves a partial vote, as one request would; any other failure fails.
  if (failed && (!BudgetExceededError.isInstance(failed.reason) || results.length === 0)) throw failed.reason;
  const usage = emptyUsage();
  for (const r of results) addUsage(usage, r.usage);
  const choices = results.flatMap((r) => r.choices).map((c, index) => ({ ...c, index }));
  return { ...results[0]!, choices, usage };
}
