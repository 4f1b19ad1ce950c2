export { selfRefine } from "./self-refine.ts";
export { reflexion, type ReflexionEvaluator, type ReflexionVerdict } from "./reflexion.ts";
export { parseCritique, type Critique } from "./parse-critique.ts";
export { parseVerdict } from "./parse-verdict.ts";
