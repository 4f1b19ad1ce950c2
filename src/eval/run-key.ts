import type { RunKey } from "./eval-store.ts";
import type { EvalRunPlan } from "./plan-eval-runs.ts";

/** The key a plan's results are stored under. */
export function runKey(dataset: string, plan: EvalRunPlan): RunKey {
  return { dataset, model: plan.model, technique: plan.canonical };
}
