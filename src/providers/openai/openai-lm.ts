import type { LM } from "../../core/types.ts";
import { defineProvider, type ProviderOptions } from "../define-provider.ts";
import { splitProviderOptions } from "../split-provider-options.ts";
import { openaiDriver, type OpenAIDriverOptions } from "./openai-driver.ts";

/**
 * An OpenAI or OpenAI-compatible model as an LM, through lmx's accounting path.
 *
 * @example openaiLM({ model: "gpt-4o-mini" }) // OPENAI_API_KEY from the environment
 * @example openaiLM({ model: "qwen2.5-7b", baseURL: "http://127.0.0.1:8080/v1" })
 */
export function openaiLM(options: OpenAIDriverOptions & ProviderOptions): LM {
  const { driver, provider } = splitProviderOptions(options);
  // A library entry point: the environment is the process's unless the caller (the runtime) gives one.
  return defineProvider(openaiDriver({ ...driver, env: driver.env ?? process.env }), provider);
}
