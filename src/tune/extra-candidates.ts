import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { LM } from "../core/types.ts";
import type { EvalRecord } from "../eval/eval-record.ts";
import type { RunSettings } from "../eval/run-settings.ts";
import type { ReasoningEffort } from "../core/types.ts";
import { withReasoningEffort } from "./with-reasoning-effort.ts";
import type { EvalRunPlan } from "../eval/plan-eval-runs.ts";
import type { TechniqueRegistry } from "../techniques/registry.ts";
import type { SpecEnv } from "../techniques/spec/index.ts";
import { bootstrapDemos } from "./bootstrap-demos.ts";
import type { CandidateOutcome } from "./evaluate-candidate.ts";
import { proposePrompts } from "./propose-prompts.ts";
import { keyOf } from "./run-halving.ts";
import type { SpaceCandidate } from "./search-space.ts";
import { formatTechnique } from "../techniques/format-technique.ts";
import { NO_TECHNIQUE } from "../eval/plan-eval-runs.ts";
import { parseTechniqueSpec } from "../techniques/spec/index.ts";
import { rewriteSpec, walkTechniqueTree } from "../techniques/walk-technique-tree.ts";

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
 * Bootstraps demonstrations with the teacher, then offers them wherever a technique declares a
 * demonstrations tunable (`tunables.demos`, few-shot's `demos`): each such technique alone, for
 * its count knob's values below the demos found and all of them; and each given base whose
 * technique tree holds such a technique with its demonstrations left open, with them filled in.
 */
export async function bootstrapCandidates(options: {
  teacher: SpaceCandidate;
  demos: number;
  dir: string;
  records: readonly EvalRecord[];
  settings: RunSettings;
  env: SpecEnv;
  /** Also try each standalone demonstrations technique at these reasoning efforts (as the space's bases are). */
  reasoningEfforts?: readonly ReasoningEffort[];
  /** Candidate specs the demonstrations may fill in (their technique trees are walked). */
  bases?: readonly string[];
  plan(technique: string): EvalRunPlan;
  evaluate(records: readonly EvalRecord[]): Promise<CandidateOutcome>;
}): Promise<{ path?: string; count: number; tried: number; correct: number; candidates: SpaceCandidate[] }> {
  const boot = await bootstrapDemos({
    records: options.records,
    teacher: options.teacher.plan,
    ask: options.evaluate,
    settings: options.settings,
    demos: options.demos,
    dir: options.dir,
  });
  const summary = { count: boot.demos.length, tried: boot.tried, correct: boot.correct };
  const path = boot.path;
  if (!path) return { ...summary, candidates: [] };
  const { registry } = options.env;
  const texts: { technique: string; base: string }[] = [];
  for (const info of registry.list()) {
    const slot = info.tunables.demos;
    if (!slot) continue;
    const definition = registry.get(info.name).definition;
    const grid = info.tunables.knobs.find((k) => k.name === slot.count)?.values ?? [];
    const counts = slot.count
      ? [...new Set([...grid.filter((k) => typeof k === "number" && k < boot.demos.length), boot.demos.length])]
      : [undefined];
    const base = formatTechnique(definition, { [slot.option]: path });
    const efforts = options.reasoningEfforts?.length ? options.reasoningEfforts : [undefined];
    for (const k of counts)
      for (const effort of efforts) {
        const technique = formatTechnique(definition, {
          [slot.option]: path,
          ...(slot.count ? { [slot.count]: k } : {}),
        });
        texts.push({ technique: effort ? withReasoningEffort(technique, effort) : technique, base });
      }
  }
  for (const base of options.bases ?? []) {
    if (base.trim() === NO_TECHNIQUE) continue;
    const ast = parseTechniqueSpec(base);
    const changes = walkTechniqueTree(ast, registry).flatMap((node) => {
      const slot = registry.info(node.call.name).tunables.demos;
      return slot && !Object.hasOwn(node.call.params, slot.option)
        ? [{ path: node.path, name: slot.option, value: path }]
        : [];
    });
    if (changes.length) texts.push({ technique: rewriteSpec(ast, registry, changes), base });
  }
  const candidates = texts.map(({ technique, base }) => ({
    technique,
    plan: options.plan(technique),
    origin: "bootstrap" as const,
    base,
  }));
  return { path, ...summary, candidates };
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
