/**
 * lmx: inference-time compute for any language model. An LM plus a technique is again an LM.
 *
 *   const base = openaiLM({ model: "gpt-4o-mini" });
 *   const better = selfConsistency(base, { n: 5 });
 *   const result = await better.complete({ messages: [{ role: "user", content: "..." }] });
 */

// Core
export type * from "./core/types.ts";
export * from "./core/errors/index.ts";
export { createRunContext, childContext } from "./core/context.ts";
export { contentText, lastUserText, resultText } from "./core/messages.ts";
export { Budget, type BudgetLimits } from "./budget/budget.ts";
export { Span, type SpanJSON, type SpanKind } from "./trace/span.ts";
export { defaultPrices, lookupPrice, costOf, type Price, type PriceTable } from "./accounting/prices.ts";

// Providers
export { defineProvider, type ProviderOptions } from "./providers/define-provider.ts";
export type { ProviderDriver, DriverResult, DriverCallOptions } from "./providers/provider-driver.ts";
export { openaiLM } from "./providers/openai/openai-lm.ts";
export { anthropicLM } from "./providers/anthropic/anthropic-lm.ts";
export { llamaLM, DEFAULT_LLAMA_MODEL } from "./providers/llama/llama-lm.ts";
export { replayLM } from "./providers/replay/replay-lm.ts";
export { loadSampleBank } from "./providers/replay/sample-bank.ts";
export { recordBank } from "./providers/replay/record-bank.ts";
export { scriptedLM, type Script, type ScriptedReply } from "./providers/scripted/scripted-lm.ts";
export { createModelResolver, defaultModelSpec } from "./providers/resolve-model.ts";
export { Limiter } from "./providers/resilience/limiter.ts";

// Cache and config
export { SqliteCache, defaultCachePath } from "./cache/sqlite-cache.ts";
export { loadConfig, type LoadedConfig } from "./config/load-config.ts";

// Techniques
export { defineTechnique, type TechniqueDefinition, type TechniqueFactory, type TechniqueLM, type TechniqueRun } from "./techniques/define-technique.ts";
export { allTechniques } from "./techniques/all.ts";
export { createRegistry, defaultRegistry, type TechniqueInfo, type TechniqueRegistry } from "./techniques/registry.ts";
export { parseLMSpec, parseTechniqueSpec, buildTechniques, formatTechniqueSpec, expandSweeps, clientValue, clientModel, hostResource } from "./techniques/spec/index.ts";
export { extractAnswer, canonicalAnswer, parseAnswerKind, vote, type AnswerKind, type VoteResult } from "./techniques/answers/index.ts";
export * from "./techniques/sample-many/index.ts";
export * from "./techniques/iterate/index.ts";
export * from "./techniques/rephrase/index.ts";
export * from "./techniques/decompose/index.ts";
export * from "./techniques/cascade/index.ts";
export * from "./techniques/prompting/index.ts";
export * from "./techniques/search/index.ts";
export * from "./techniques/beyond-context/index.ts";
export * from "./techniques/tools/index.ts";

// Tools and the sandbox
export { calculate, calculatorTool, functionTool, sandboxTool, indexSearchTool, memoryTools, connectMcpServer, openTools, type Tool } from "./tools/index.ts";
export { runJavaScript, runProgram } from "./sandbox/index.ts";

// Stores, embeddings
export { DocumentIndex } from "./store/document-index/document-index.ts";
export { MemoryStore } from "./store/memory/memory-store.ts";
export { openTraceStore, defaultTraceStorePath } from "./store/trace-store/sqlite-trace-store.ts";
export type { Embedder } from "./embeddings/embedder.ts";
export { openaiEmbedder } from "./embeddings/openai-embedder.ts";
export { llamaEmbedder } from "./embeddings/llama-embedder.ts";

// Proxy server, AI SDK, evaluation
export { createServerApp, startServer, memoryTraceStore, type TraceStore } from "./server/index.ts";
export { lmxMiddleware, createLmx, aiSdkModelAsLM, lmAsAiSdkModel } from "./ai-sdk/index.ts";
export { evaluate, wilsonInterval, paretoFrontier, loadEvalData, type EvaluateOptions, type Evaluation } from "./eval/index.ts";
export { tune, searchSpace, formatTuneTable, saveAlias, type TuneOptions, type TuneResult, type TuneProgress, type TuneEntry, type TuneBudget } from "./tune/index.ts";
