import type { LM } from "../../core/types.ts";
import { defineProvider, type ProviderOptions } from "../define-provider.ts";
import { splitProviderOptions } from "../split-provider-options.ts";
import { anthropicDriver, type AnthropicDriverOptions } from "./anthropic-driver.ts";

/**
 * An Anthropic Claude model as an LM, through lmx's accounting path.
 *
 * @example anthropicLM({ model: "claude-3-5-haiku-latest" }) // ANTHROPIC_API_KEY from the environment
 */
export function anthropicLM(options: AnthropicDriverOptions & ProviderOptions): LM {
  const { driver, provider } = splitProviderOptions(options);
  // A library entry point: the environment is the process's unless the caller (the runtime) gives one.
  return defineProvider(anthropicDriver({ ...driver, env: driver.env ?? process.env }), provider);
}
