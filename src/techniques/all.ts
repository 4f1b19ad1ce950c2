import type { TechniqueFactory } from "./define-technique.ts";

/**
 * Every built-in technique, in the order `lmx techniques` lists them. The registry, the spec
 * parser, the proxy's /v1/models and the tuner all read this one list.
 */
export const allTechniques: TechniqueFactory[] = [
  // (each technique adds itself here)
];
