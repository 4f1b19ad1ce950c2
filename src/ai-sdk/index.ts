export { lmxMiddleware, type LmxMiddlewareOptions } from "./lmx-middleware.ts";
export { createLmx, type LmxProvider, type LmxProviderOptions } from "./lmx-provider.ts";
export { aiSdkModelAsLM, type AiSdkModelAsLMOptions } from "./ai-sdk-model-as-lm.ts";
export { lmAsAiSdkModel, type LmAsAiSdkModelOptions } from "./lm-as-ai-sdk-model.ts";
