export type { SpecValue, SpecValueSource, TechniqueCall, TechniqueSpecAst } from "./spec-ast.ts";
export { parseTechniqueSpec } from "./parse-technique-spec.ts";
export { aliasOf, buildTechniques, checkTechniqueSpec, parseLMSpec, type SpecEnv } from "./build-techniques.ts";

export { formatTechniqueSpec } from "./format-technique-spec.ts";
export { isTechniqueLM } from "../technique-tree.ts";
export { expandSweeps } from "./expand-sweeps.ts";
export { techniqueParameters, parameterSummary, type ParameterInfo } from "./technique-parameters.ts";
export { closestNames, didYouMean, editDistance } from "./closest-names.ts";
export { specError } from "./spec-error.ts";
export {
  clientModel,
  clientValue,
  hostResource,
  optionTrust,
  type GrantKind,
  type OptionTrust,
  type TrustClass,
} from "./option-trust.ts";
export { clientOptionPolicy, type OptionGrants, type OptionPolicy } from "./client-option-policy.ts";
export { HostResourceError } from "./host-resource-error.ts";
