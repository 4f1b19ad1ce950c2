import { parseAnswerKind, type AnswerKind } from "../techniques/answers/index.ts";
import type { EvalRecord } from "./eval-record.ts";
import { evaluateQuestion, type QuestionOutcome } from "./evaluate-question.ts";
import type { EvalRunPlan } from "./plan-eval-runs.ts";
import { runKey } from "./run-key.ts";
import type { RunSettings } from "./run-settings.ts";

/**
 * One question of one run: asked, graded with the settings' answer kind (else the plan's own, else
 * auto) and committed to the settings' store under the run's key. A question the caller aborted
 * midway is not stored. The unit of work of an evaluation: (settings, question, technique spec).
 */
export async function evaluateAndSave(
  settings: RunSettings,
  record: EvalRecord,
  plan: EvalRunPlan,
): Promise<QuestionOutcome> {
  const outcome = await evaluateQuestion({
    plan,
    record,
    kind: answerKindOf(settings, plan),
    budget: settings.budget,
    signal: settings.signal,
    seed: settings.seed,
    request: settings.request,
  });
  if (!outcome.interrupted)
    await settings.store.save(runKey(settings.dataset.hash, plan), outcome.result, outcome.trace);
  return outcome;
}

/** The kind a plan's answers are graded with under these settings. */
export function answerKindOf(settings: Pick<RunSettings, "answer">, plan: EvalRunPlan): AnswerKind {
  return settings.answer ?? (plan.answer === undefined ? "auto" : parseAnswerKind(plan.answer));
}
