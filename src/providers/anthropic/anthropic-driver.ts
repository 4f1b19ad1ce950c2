import type Anthropic from "@anthropic-ai/sdk";
import type { Capabilities, ChatRequest } from "../../core/types.ts";
import { upstreamErrorFromSdk } from "../openai/upstream-error-from-sdk.ts";
import type { DriverCallOptions, DriverStreamEvent, ProviderDriver } from "../provider-driver.ts";
import { lazySdkClient, NO_SDK_TIMEOUT, sdkClientSettings } from "../sdk-client-settings.ts";
import { anthropicPrices } from "./anthropic-prices.ts";
import { anthropicParams, type StructuredOutput } from "./anthropic-params.ts";
import { anthropicResult } from "./anthropic-result.ts";
import { anthropicStreamEvents } from "./anthropic-stream.ts";

export interface AnthropicDriverOptions {
  model: string;
  /** Where ANTHROPIC_BASE_URL, ANTHROPIC_API_KEY and ANTHROPIC_LOG are read (anthropicLM: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Default: ANTHROPIC_BASE_URL, else api.anthropic.com. */
  baseURL?: string;
  /** Default: ANTHROPIC_API_KEY (a placeholder when only a base URL is set). */
  apiKey?: string;
  /** A ready client; its own retries and timeout are overridden per call (its replies are not bounded: bring your own fetch). */
  /** The name ids, prices, spans and errors carry (a named endpoint's; default "anthropic"). */
  provider?: string;
  /** Capabilities stated over the protocol's own (a named endpoint's config). */
  capabilities?: Partial<Capabilities>;
  client?: Anthropic;
  fetch?: typeof fetch;
  /** Longest reply body accepted, after decompression (default 32 MiB); more is a "malformed" UpstreamError. */
  maxResponseBytes?: number;
  /** Longest silence between two chunks of a reply body (default 60 s); a stall is a "timeout" UpstreamError. */
  idleTimeoutMs?: number;
  /** max_tokens when the request sets none (the Messages API requires one). Default 1024. */
  defaultMaxTokens?: number;
  /** How response_format is honoured (default "instruction": works with every Claude model). */
  structuredOutput?: StructuredOutput;
}

const DEFAULT_PROVIDER = "anthropic";
// The SDK loads on the first call, not with `import("lmx")` (it is ~150 ms of start-up).
let sdk: Promise<typeof import("@anthropic-ai/sdk")> | undefined;
const loadSdk = () => (sdk ??= import("@anthropic-ai/sdk"));

/**
 * A driver for Anthropic's Messages API through `@anthropic-ai/sdk`. Requests and results are
 * converted from and to lmx's OpenAI shape; `n` is left to defineProvider (concurrent calls).
 */
export function anthropicDriver(options: AnthropicDriverOptions): ProviderDriver {
  const { model } = options;
  const PROVIDER = options.provider ?? DEFAULT_PROVIDER;
  const structuredOutput = options.structuredOutput ?? "instruction";
  const defaultMaxTokens = options.defaultMaxTokens ?? 1024;
  const client = options.client ? Promise.resolve(options.client) : createClient(options);
  const capabilities: Capabilities = {
    nativeN: false,
    logprobs: false,
    tools: true,
    streaming: true,
    constrainedOutput: structuredOutput === "native",
    ...options.capabilities,
  };
  const callOptions = (o: DriverCallOptions) => ({ signal: o.signal, maxRetries: 0, timeout: NO_SDK_TIMEOUT });
  const fail = async (error: unknown) => upstreamErrorFromSdk({ error, provider: PROVIDER, classes: await loadSdk() });
  const isJson = (request: ChatRequest) =>
    request.response_format?.type === "json_object" || request.response_format?.type === "json_schema";

  return {
    provider: PROVIDER,
    model,
    capabilities,
    prices: PROVIDER === DEFAULT_PROVIDER ? anthropicPrices : undefined,

    async complete(request: ChatRequest, o: DriverCallOptions) {
      const params = anthropicParams({
        request,
        model,
        defaultMaxTokens,
        structuredOutput,
      }) as Anthropic.MessageCreateParamsNonStreaming;
      let body: unknown;
      try {
        body = await (await client).messages.create(params, callOptions(o));
      } catch (error) {
        throw await fail(error);
      }
      return anthropicResult({ body, request, provider: PROVIDER, json: isJson(request) });
    },

    async *stream(request: ChatRequest, o: DriverCallOptions): AsyncIterable<DriverStreamEvent> {
      const params = {
        ...anthropicParams({ request, model, defaultMaxTokens, structuredOutput }),
        stream: true,
      } as Anthropic.MessageCreateParamsStreaming;
      try {
        const events: AsyncIterable<unknown> = await (await client).messages.create(params, callOptions(o));
        yield* anthropicStreamEvents({ events, request, provider: PROVIDER, signal: o.signal, json: isJson(request) });
      } catch (error) {
        throw await fail(error);
      }
    },
  };
}

/** Settings are read now (a missing key fails at construction); the client is made once the SDK has loaded. */
function createClient(options: AnthropicDriverOptions): Promise<Anthropic> {
  const settings = sdkClientSettings({
    baseURL: options.baseURL,
    apiKey: options.apiKey,
    envPrefix: "ANTHROPIC",
    env: options.env ?? {},
    noKey:
      "anthropic: no API key. Set ANTHROPIC_API_KEY (or pass apiKey), or set ANTHROPIC_BASE_URL / baseURL for a compatible server.",
  });
  const { fetch, maxResponseBytes, idleTimeoutMs } = options;
  return lazySdkClient({
    load: loadSdk,
    settings,
    bounds: { provider: options.provider ?? DEFAULT_PROVIDER, fetch, maxResponseBytes, idleTimeoutMs },
  });
}
