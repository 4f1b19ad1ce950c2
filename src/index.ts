/**
 * lmx: inference-time compute for any language model. An LM plus a technique is again an LM.
 *
 *   const base = openaiLM({ model: "gpt-4o-mini" });
 *   const better = selfConsistency(base, { n: 5 });
 *   const result = await better.complete({ messages: [{ role: "user", content: "..." }] });
 *
 * The root holds the LM interface, errors, providers, techniques and the spec language. The rest lives
 * in subpaths: `lmx/server`, `lmx/ai-sdk`, `lmx/eval`, `lmx/tune`, `lmx/store`, `lmx/testing`.
 */

// Core
export type * from "./core/types.ts";
export * from "./core/errors/index.ts";
export { createRunContext, childContext } from "./core/context.ts";
export { contentText, lastUserText, resultText } from "./core/messages.ts";
export { Budget, type BudgetLimits } from "./budget/budget.ts";
export { Span, type SpanJSON, type SpanKind } from "./trace/span.ts";
export { lookupPrice, costOf, type Price, type PriceTable } from "./accounting/prices.ts";
export { defaultPrices } from "./providers/default-prices.ts";

// The runtime: one lmx made from one config and environment
export {
  createLmxRuntime,
  type LmxRuntime,
  type LmxRuntimeOptions,
  type LmxEnv,
} from "./runtime/create-lmx-runtime.ts";
export type { RunHost } from "./core/run-host.ts";
export { isLM } from "./core/is-lm.ts";
export { isTechniqueLM, techniqueStack, techniqueDepth, foldTechniques } from "./techniques/technique-tree.ts";

// Providers and configuration
export { defineProvider, type ProviderOptions } from "./providers/define-provider.ts";
export type { ProviderDriver, DriverResult, DriverCallOptions } from "./providers/provider-driver.ts";
export { openaiLM } from "./providers/openai/openai-lm.ts";
export { anthropicLM } from "./providers/anthropic/anthropic-lm.ts";
export { llamaLM, DEFAULT_LLAMA_MODEL } from "./providers/llama/llama-lm.ts";
export { replayLM } from "./providers/replay/replay-lm.ts";
export { loadSampleBank } from "./providers/replay/sample-bank.ts";
export { recordBank } from "./providers/replay/record-bank.ts";
export { createModelResolver, defaultModelSpec } from "./providers/resolve-model.ts";
export { allProviders } from "./providers/all.ts";
export {
  providerDefinition,
  type ProviderDefinition,
  type ProviderCreateOptions,
} from "./providers/provider-definition.ts";
export type { EndpointConfig } from "./providers/endpoints/endpoint-config.ts";
export { Limiter } from "./providers/resilience/limiter.ts";
export { loadConfig, type LoadedConfig } from "./config/load-config.ts";

// Techniques and the spec language
export {
  defineTechnique,
  type TechniqueDefinition,
  type TechniqueFactory,
  type TechniqueLM,
  type TechniqueRun,
} from "./techniques/define-technique.ts";
export { allTechniques } from "./techniques/all.ts";
export { createRegistry, defaultRegistry, type TechniqueInfo, type TechniqueRegistry } from "./techniques/registry.ts";
export {
  parseLMSpec,
  parseTechniqueSpec,
  buildTechniques,
  formatTechniqueSpec,
  expandSweeps,
  clientValue,
  clientModel,
  hostResource,
} from "./techniques/spec/index.ts";
export {
  extractAnswer,
  canonicalAnswer,
  parseAnswerKind,
  vote,
  type AnswerKind,
  type VoteResult,
} from "./techniques/answers/index.ts";
export {
  selfConsistency,
  adaptiveConsistency,
  bestOfN,
  universalSelfConsistency,
  mixtureOfAgents,
  type Candidate,
  type Verifier,
} from "./techniques/sample-many/index.ts";
export { selfRefine, reflexion, type ReflexionEvaluator, type ReflexionVerdict } from "./techniques/iterate/index.ts";
export { re2, rephraseAndRespond, stepBack } from "./techniques/rephrase/index.ts";
export { leastToMost, planAndSolve } from "./techniques/decompose/index.ts";
export { cascade } from "./techniques/cascade/index.ts";
export { fewShot, loadDemos, type Demo } from "./techniques/prompting/index.ts";
export { treeOfThoughts, mcts } from "./techniques/search/index.ts";
export {
  retrieve,
  memory,
  feedback,
  type MemoryLM,
  type MemoryOptions,
  type MemoryVerdict,
  type MemoryVerifier,
  type MemoryFeedback,
} from "./techniques/beyond-context/index.ts";
export { programAided, tools } from "./techniques/tools/index.ts";

// Tools for the `tools` technique
export {
  calculatorTool,
  functionTool,
  sandboxTool,
  indexSearchTool,
  memoryTools,
  connectMcpServer,
  openTools,
  type Tool,
} from "./tools/index.ts";
export { runJavaScript, runProgram } from "./sandbox/index.ts";
