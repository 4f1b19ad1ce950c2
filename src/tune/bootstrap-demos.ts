import { createHash } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { contentText } from "../core/messages.ts";
import { evalRequest, type EvalRecord } from "../eval/eval-record.ts";
import type { EvalRunPlan } from "../eval/plan-eval-runs.ts";
import { runKey } from "../eval/run-key.ts";
import type { RunSettings } from "../eval/run-settings.ts";
import type { Demo } from "../techniques/prompting/load-demos.ts";
import type { CandidateOutcome } from "./evaluate-candidate.ts";

export interface BootstrapDemosOptions {
  /** Training questions (kept out of the dev and test sets). */
  records: readonly EvalRecord[];
  /** Who answers them: the bare model, or a technique over it. */
  teacher: EvalRunPlan;
  /** Evaluates the teacher on questions into `store` (evaluateCandidate, with the caller's settings). */
  ask(records: readonly EvalRecord[]): Promise<CandidateOutcome>;
  /** The tuning run's settings: the teacher's answers are read back from their store. */
  settings: Pick<RunSettings, "store" | "dataset">;
  /** At most this many demonstrations. */
  demos: number;
  /** Folder for the demos file (created if needed). */
  dir: string;
}

export interface BootstrappedDemos {
  /** `<dir>/demos-<hash>.json`, absent when no answer graded correct. */
  path?: string;
  demos: (Demo & { id: string })[];
  /** Training questions asked, and how many the teacher got right. */
  tried: number;
  correct: number;
  evaluated: number;
  failed?: string;
}

/**
 * BootstrapFewShot (Khattab et al. 2023, "DSPy: Compiling Declarative Language Model Calls into
 * Self-Improving Pipelines"): the teacher answers training questions, and the full responses whose
 * answers grade correct become demonstrations, in the training set's order. Only single-question
 * records are used (a demonstration is one user turn and one reply). The file is named by its
 * content's hash, so a spec naming it always means the same demonstrations and cached results stay
 * valid. Answers come through the results file like any evaluation, so a rerun asks nothing again.
 */
export async function bootstrapDemos(options: BootstrapDemosOptions): Promise<BootstrappedDemos> {
  const { teacher } = options;
  const { store, dataset } = options.settings;
  const single = options.records.filter(
    (r) => !r.messages || (r.messages.length === 1 && r.messages[0]!.role === "user"),
  );
  const outcome = await options.ask(single);
  const byId = new Map((await store.results(runKey(dataset.hash, teacher))).map((r) => [r.question_id, r]));
  const right = single.filter((r) => {
    const result = byId.get(r.id);
    return result?.correct === true && result.error === undefined && result.text.trim() !== "";
  });
  const demos = right
    .slice(0, options.demos)
    .map((r) => ({ id: r.id, question: questionText(r), answer: byId.get(r.id)!.text }));
  const out: BootstrappedDemos = {
    demos,
    tried: single.length,
    correct: right.length,
    evaluated: outcome.evaluated,
    ...(outcome.failed ? { failed: outcome.failed } : {}),
  };
  if (demos.length === 0) return out;
  const text = JSON.stringify(demos, null, 2) + "\n";
  const path = join(options.dir, `demos-${createHash("sha256").update(text).digest("hex").slice(0, 12)}.json`);
  mkdirSync(options.dir, { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
  return { ...out, path };
}

/** The user turn the record is asked as (choices included), so a demo looks like the questions it precedes. */
function questionText(record: EvalRecord): string {
  return contentText(evalRequest(record).messages.at(-1)!.content);
}
