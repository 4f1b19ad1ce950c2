import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { LM } from "../core/types.ts";
import type { EvalRecord } from "../eval/eval-record.ts";
import type { EvalStore } from "../eval/eval-store.ts";
import type { EvalRunPlan } from "../eval/plan-eval-runs.ts";
import type { TechniqueRegistry } from "../techniques/registry.ts";
import type { SpecEnv } from "../techniques/spec/index.ts";
import { bootstrapDemos } from "./bootstrap-demos.ts";
import type { CandidateOutcome } from "./evaluate-candidate.ts";
import { parameterGrid } from "./parameter-grid.ts";
import { proposePrompts } from "./propose-prompts.ts";
import { keyOf } from "./run-halving.ts";
import type { SpaceCandidate } from "./search-space.ts";
import { formatTechnique } from "../techniques/format-technique.ts";

/** Appends the candidates not already present (same model and canonical spec); returns how many were new. */
export function addCandidates(list: SpaceCandidate[], more: readonly SpaceCandidate[]): number {
  const seen = new Set(list.map(keyOf));
  let added = 0;
  for (const c of more) {
    if (seen.has(keyOf(c))) continue;
    seen.add(keyOf(c));
    list.push(c);
    added++;
  }
  return added;
}

/**
 * Bootstraps demonstrations with the teacher and offers `few-shot(demos=<file>, k=...)` for the
 * few-shot technique's own grid of k (from the registry) up to the demos found, and all of them.
 */
export async function bootstrapCandidates(options: {
  teacher: SpaceCandidate;
  demos: number;
  dir: string;
  records: readonly EvalRecord[];
  store: EvalStore;
  datasetHash: string;
  env: SpecEnv;
  plan(technique: string): EvalRunPlan;
  evaluate(records: readonly EvalRecord[]): Promise<CandidateOutcome>;
}): Promise<{ path?: string; count: number; tried: number; correct: number; candidates: SpaceCandidate[] }> {
  const boot = await bootstrapDemos({
    records: options.records,
    teacher: options.teacher.plan,
    ask: options.evaluate,
    store: options.store,
    datasetHash: options.datasetHash,
    demos: options.demos,
    dir: options.dir,
  });
  const summary = { count: boot.demos.length, tried: boot.tried, correct: boot.correct };
  if (!boot.path) return { ...summary, candidates: [] };
  const definition = options.env.registry.get("few-shot").definition;
  const kInfo = options.env.registry.info("few-shot").parameters.find((p) => p.name === "k")!;
  const ks = [
    ...new Set([...(parameterGrid(kInfo) as number[]).filter((k) => k < boot.demos.length), boot.demos.length]),
  ];
  const candidates = ks.map((k) => {
    const technique = formatTechnique(definition, { demos: boot.path, k });
    return {
      technique,
      plan: options.plan(technique),
      origin: "bootstrap" as const,
      base: `few-shot(demos=${boot.path})`,
    };
  });
  return { path: boot.path, ...summary, candidates };
}

/** Rewrites of each base's main instruction (proposePrompts), built; rewrites a technique rejects go to `skipped`. */
export async function proposalCandidates(options: {
  proposer: LM;
  bases: readonly string[];
  count: number;
  registry: TechniqueRegistry;
  plan(technique: string): EvalRunPlan;
  skipped: { technique: string; reason: string }[];
  signal?: AbortSignal;
  seed?: number;
}): Promise<{ candidates: SpaceCandidate[]; failures: string[] }> {
  const proposed = await proposePrompts({
    lm: options.proposer,
    specs: options.bases,
    count: options.count,
    registry: options.registry,
    signal: options.signal,
    seed: options.seed,
  });
  const candidates: SpaceCandidate[] = [];
  for (const p of proposed.specs) {
    try {
      candidates.push({ technique: p.spec, plan: options.plan(p.spec), origin: "proposed", base: p.base });
    } catch (error) {
      if (!InvalidRequestError.isInstance(error)) throw error;
      options.skipped.push({ technique: p.spec, reason: error.message.split("\n")[0]! });
    }
  }
  return { candidates, failures: proposed.failures };
}
