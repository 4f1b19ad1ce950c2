import { apiLMOptions, apiProviderSettings } from "../api-provider-settings.ts";
import { providerDefinition } from "../provider-definition.ts";
import { anthropicPrices } from "./anthropic-prices.ts";

/** `anthropic:<model>`: Anthropic's Messages API; named endpoints of type "anthropic" reuse it. */
export const anthropicProvider = providerDefinition({
  name: "anthropic",
  description: "Anthropic's Messages API (ANTHROPIC_API_KEY)",
  example: "claude-3-5-haiku-latest",
  capabilities: { nativeN: false, logprobs: false, tools: true, streaming: true, constrainedOutput: false },
  defaultConcurrency: 8,
  prices: anthropicPrices,
  settings: apiProviderSettings,
  endpointType: true,
  async create({ model, name, settings, env, capabilities, shared }) {
    const { anthropicLM } = await import("./anthropic-lm.ts");
    return anthropicLM({
      ...apiLMOptions(
        {
          ...settings,
          baseURL: settings.baseURL ?? env.ANTHROPIC_BASE_URL,
          apiKey: settings.apiKey ?? env.ANTHROPIC_API_KEY,
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
