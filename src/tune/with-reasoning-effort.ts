import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { ReasoningEffort } from "../core/types.ts";
import { NO_TECHNIQUE } from "../eval/plan-eval-runs.ts";
import { parseTechniqueSpec } from "../techniques/spec/index.ts";

/** The technique that carries a reasoning effort in a spec (see src/techniques/prompting/reasoning-effort.ts). */
const LAYER = "reasoning-effort";

/**
 * The candidate spec at one reasoning effort: a `reasoning-effort(effort=...)` layer innermost, so
 * every call the techniques make carries it (`none` becomes the layer alone). A spec whose chain
 * already has the layer keeps its own: what a candidate sets is fixed.
 */
export function withReasoningEffort(spec: string, effort: ReasoningEffort): string {
  const layer = `${LAYER}(effort=${effort})`;
  if (spec.trim() === NO_TECHNIQUE) return layer;
  const ast = parseTechniqueSpec(spec);
  if (ast.techniques.some((t) => t.name === LAYER)) return spec;
  if (ast.techniques.length === 0) return `${layer}@${ast.model}`;
  if (ast.modelOffset === undefined) return `${spec.trim()} > ${layer}`;
  const chain = spec.slice(0, ast.modelOffset).replace(/@\s*$/, "").trim();
  return `${chain} > ${layer}@${spec.slice(ast.modelOffset)}`;
}

/** The reasoning effort a candidate spec sets on its outer chain, if any. */
export function reasoningEffortOf(spec: string): string | undefined {
  if (spec.trim() === NO_TECHNIQUE) return undefined;
  const value = parseTechniqueSpec(spec).techniques.find((t) => t.name === LAYER)?.params.effort;
  return typeof value === "string" ? value : undefined;
}

const EFFORTS: readonly ReasoningEffort[] = ["none", "minimal", "low", "medium", "high", "xhigh"];

/** `--reasoning-effort low,medium,high`: the levels, each once, in the order given. */
export function parseReasoningEfforts(text: string): ReasoningEffort[] {
  const levels = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = levels.find((l) => !EFFORTS.includes(l as ReasoningEffort));
  if (bad !== undefined || levels.length === 0)
    throw new InvalidRequestError(
      `--reasoning-effort ${JSON.stringify(text)}: write levels separated by commas, each one of: ${EFFORTS.join(", ")}`,
      { param: "reasoning_effort" },
    );
  return [...new Set(levels as ReasoningEffort[])];
}
