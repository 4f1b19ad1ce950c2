import type { LM } from "../../core/types.ts";
import { defineProvider, type ProviderOptions } from "../define-provider.ts";
import type { ProviderDriver } from "../provider-driver.ts";
import { splitProviderOptions } from "../split-provider-options.ts";
import { createLlamaDriver, type LlamaDriverOptions } from "./llama-driver.ts";

export { DEFAULT_LLAMA_MODEL } from "./default-model.ts";

export type LlamaLMOptions = LlamaDriverOptions & ProviderOptions;

/**
 * A base LM running a GGUF model in-process with llama.cpp (node-llama-cpp): `model` is a file path or
 * `hf:owner/repo/file.gguf`. Nothing loads until the first call; `close()` frees the native memory.
 * Concurrency defaults to the number of context sequences (1), since one sequence runs one call at a time.
 */
export function llamaLM(options: LlamaLMOptions): LM & { driver: ProviderDriver; close(): Promise<void> } {
  const { driver: driverOptions, provider } = splitProviderOptions(options);
  // A library entry point: the environment is the process's unless the caller (the runtime) gives one.
  const driver = createLlamaDriver({ ...driverOptions, env: driverOptions.env ?? process.env });
  const lm = defineProvider(driver, { ...provider, limiter: provider.limiter ?? driverOptions.sequences ?? 1 });
  return Object.assign(lm, { driver, close: () => driver.close() });
}
