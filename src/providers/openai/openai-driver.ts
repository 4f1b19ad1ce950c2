import type OpenAI from "openai";
import type { Capabilities, ChatRequest } from "../../core/types.ts";
import type { DriverCallOptions, DriverStreamEvent, ProviderDriver } from "../provider-driver.ts";
import { lazySdkClient, NO_SDK_TIMEOUT, sdkClientSettings } from "../sdk-client-settings.ts";
import { openaiParams } from "./openai-params.ts";
import { openaiPrices } from "./openai-prices.ts";
import { openaiResult } from "./openai-result.ts";
import { openaiStreamEvents } from "./openai-stream.ts";
import { upstreamErrorFromSdk } from "./upstream-error-from-sdk.ts";

export interface OpenAIDriverOptions {
  model: string;
  /** Where OPENAI_BASE_URL, OPENAI_API_KEY and OPENAI_LOG are read (openaiLM: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Default: OPENAI_BASE_URL, else api.openai.com. */
  baseURL?: string;
  /** Default: OPENAI_API_KEY (a placeholder when only a base URL is set: local servers need none). */
  apiKey?: string;
  /** A ready client; its own retries and timeout are overridden per call (its replies are not bounded: bring your own fetch). */
  /** The name ids, prices, spans and errors carry (a named endpoint's; default "openai"). */
  provider?: string;
  /** Capabilities stated over the protocol's own (a named endpoint's config). */
  capabilities?: Partial<Capabilities>;
  client?: OpenAI;
  fetch?: typeof fetch;
  /** Longest reply body accepted, after decompression (default 32 MiB); more is a "malformed" UpstreamError. */
  maxResponseBytes?: number;
  /** Longest silence between two chunks of a reply body (default 60 s); a stall is a "timeout" UpstreamError. */
  idleTimeoutMs?: number;
}

const DEFAULT_PROVIDER = "openai";
// The SDK loads on the first call, not with `import("lmx")` (it is ~90 ms of start-up).
let sdk: Promise<typeof import("openai")> | undefined;
const loadSdk = () => (sdk ??= import("openai"));
const CAPABILITIES: Capabilities = {
  nativeN: true,
  logprobs: true,
  tools: true,
  streaming: true,
  constrainedOutput: true,
};

/**
 * A driver for any OpenAI-compatible chat completions server (OpenAI, vLLM, llama.cpp server,
 * Ollama, LM Studio …) through the official `openai` SDK. Retries and timeouts are left to defineProvider.
 */
export function openaiDriver(options: OpenAIDriverOptions): ProviderDriver {
  const { model } = options;
  const PROVIDER = options.provider ?? DEFAULT_PROVIDER;
  const client = options.client ? Promise.resolve(options.client) : createClient(options);
  const callOptions = (o: DriverCallOptions) => ({ signal: o.signal, maxRetries: 0, timeout: NO_SDK_TIMEOUT });
  const fail = async (error: unknown) => upstreamErrorFromSdk({ error, provider: PROVIDER, classes: await loadSdk() });

  return {
    provider: PROVIDER,
    model,
    capabilities: { ...CAPABILITIES, ...options.capabilities },
    // OpenAI's list prices are OpenAI's: a named endpoint's models get only the prices it is given.
    prices: PROVIDER === DEFAULT_PROVIDER ? openaiPrices : undefined,

    async complete(request: ChatRequest, o: DriverCallOptions) {
      let body: unknown;
      try {
        // The SDK's parameter types are narrower than what compatible servers accept; the body goes as is.
        const params = openaiParams({
          request,
          model,
          seed: o.seed,
        }) as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
        body = await (await client).chat.completions.create(params, callOptions(o));
      } catch (error) {
        throw await fail(error);
      }
      return openaiResult({ body, request, provider: PROVIDER });
    },

    async *stream(request: ChatRequest, o: DriverCallOptions): AsyncIterable<DriverStreamEvent> {
      try {
        const params = openaiParams({
          request,
          model,
          seed: o.seed,
          stream: true,
        }) as unknown as OpenAI.Chat.ChatCompletionCreateParamsStreaming;
        const chunks: AsyncIterable<unknown> = await (await client).chat.completions.create(params, callOptions(o));
        yield* openaiStreamEvents({ chunks, request, provider: PROVIDER, signal: o.signal });
      } catch (error) {
        throw await fail(error);
      }
    },
  };
}

/** Settings are read now (a missing key fails at construction); the client is made once the SDK has loaded. */
function createClient(options: OpenAIDriverOptions): Promise<OpenAI> {
  const settings = sdkClientSettings({
    baseURL: options.baseURL,
    apiKey: options.apiKey,
    envPrefix: "OPENAI",
    env: options.env ?? {},
    noKey:
      "openai: no API key. Set OPENAI_API_KEY (or pass apiKey), or set OPENAI_BASE_URL / baseURL to use a local OpenAI-compatible server.",
  });
  const { fetch, maxResponseBytes, idleTimeoutMs } = options;
  return lazySdkClient({
    load: loadSdk,
    settings,
    bounds: { provider: options.provider ?? DEFAULT_PROVIDER, fetch, maxResponseBytes, idleTimeoutMs },
  });
}
