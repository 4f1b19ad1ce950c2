import { apiLMOptions, apiProviderSettings } from "../api-provider-settings.ts";
import { providerDefinition } from "../provider-definition.ts";
import { openaiPrices } from "./openai-prices.ts";

/** `openai:<model>`: OpenAI or any OpenAI-compatible server; named endpoints of type "openai" reuse it. */
export const openaiProvider = providerDefinition({
  name: "openai",
  description: "any OpenAI-compatible server (OPENAI_BASE_URL, OPENAI_API_KEY)",
  example: "gpt-4o-mini",
  capabilities: { nativeN: true, logprobs: true, tools: true, streaming: true, constrainedOutput: true },
  defaultConcurrency: 16,
  prices: openaiPrices,
  settings: apiProviderSettings,
  endpointType: true,
  async create({ model, name, settings, env, capabilities, shared }) {
    const { openaiLM } = await import("./openai-lm.ts");
    return openaiLM({
      ...apiLMOptions(
        {
          ...settings,
          baseURL: settings.baseURL ?? env.OPENAI_BASE_URL,
          apiKey: settings.apiKey ?? env.OPENAI_API_KEY,
        },
        shared,
      ),
      model,
      provider: name,
      capabilities,
      env,
    });
  },
});
