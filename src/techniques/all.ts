import type { TechniqueFactory } from "./define-technique.ts";
import { leastToMost, planAndSolve } from "./decompose/index.ts";
import { reflexion, selfRefine } from "./iterate/index.ts";
import { re2, rephraseAndRespond, stepBack } from "./rephrase/index.ts";
import {
  adaptiveConsistency,
  bestOfN,
  mixtureOfAgents,
  selfConsistency,
  universalSelfConsistency,
} from "./sample-many/index.ts";
import { cascade } from "./cascade/index.ts";
import { fewShot, reasoningEffort } from "./prompting/index.ts";
import { memory, retrieve } from "./beyond-context/index.ts";
import { programAided, tools } from "./tools/index.ts";
import { mcts, treeOfThoughts } from "./search/index.ts";
import { codet } from "./codet/index.ts";
import { think } from "./think/index.ts";

/**
 * Every built-in technique, in the order `lmx techniques` lists them. The registry, the spec
 * parser, the proxy's /v1/models and the tuner all read this one list.
 */
export const allTechniques: TechniqueFactory[] = [
  // (each technique adds itself here)
  selfRefine,
  reflexion,
  re2,
  rephraseAndRespond,
  stepBack,
  leastToMost,
  planAndSolve,
  selfConsistency,
  adaptiveConsistency,
  bestOfN,
  universalSelfConsistency,
  mixtureOfAgents,
  cascade,
  fewShot,
  reasoningEffort,
  retrieve,
  memory,
  programAided,
  codet,
  tools,
  treeOfThoughts,
  mcts,
  think,
];
