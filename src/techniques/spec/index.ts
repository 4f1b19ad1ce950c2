export type { SpecValue, SpecValueSource, TechniqueCall, TechniqueSpecAst } from "./spec-ast.ts";
export { parseTechniqueSpec } from "./parse-technique-spec.ts";
export { buildTechniques, checkTechniqueSpec, type SpecEnv } from "./build-techniques.ts";
export { parseLMSpec } from "./parse-lm-spec.ts";
export { formatTechniqueSpec, isTechniqueLM } from "./format-technique-spec.ts";
export { expandSweeps } from "./expand-sweeps.ts";
export { techniqueParameters, parameterSummary, type ParameterInfo } from "./technique-parameters.ts";
export { closestNames, didYouMean, editDistance } from "./closest-names.ts";
export { specError } from "./spec-error.ts";
