import { anthropicProvider } from "./anthropic/anthropic-provider.ts";
import { llamaProvider } from "./llama/llama-provider.ts";
import { openaiProvider } from "./openai/openai-provider.ts";
import { replayProvider } from "./replay/replay-provider.ts";

/**
 * Every built-in provider, in the order `lmx models` lists them. The model resolver, the config
 * schema's `providers` section and named endpoints' `type` all read this one list; a new provider is
 * its folder plus one line here.
 */
export const allProviders = [openaiProvider, anthropicProvider, llamaProvider, replayProvider] as const;
