import type { LM } from "../../core/types.ts";
import { defineProvider, type ProviderOptions } from "../define-provider.ts";
import { openaiDriver, type OpenAIDriverOptions } from "./openai-driver.ts";

/**
 * An OpenAI or OpenAI-compatible model as an LM, through lmx's accounting path.
 *
 * @example openaiLM({ model: "gpt-4o-mini" }) // OPENAI_API_KEY from the environment
 * @example openaiLM({ model: "qwen2.5-7b", baseURL: "http://127.0.0.1:8080/v1" })
 */
export function openaiLM(options: OpenAIDriverOptions & ProviderOptions): LM {
  const {
    model,
    baseURL,
    apiKey,
    client,
    fetch,
    maxResponseBytes,
    idleTimeoutMs,
    capabilities,
    provider: name,
    env,
    ...provider
  } = options;
  return defineProvider(
    openaiDriver({
      model,
      baseURL,
      apiKey,
      client,
      fetch,
      maxResponseBytes,
      idleTimeoutMs,
      provider: name,
      capabilities,
      // A library entry point: the environment is the process's unless the caller (the runtime) gives one.
      env: env ?? process.env,
    }),
    provider,
  );
}
