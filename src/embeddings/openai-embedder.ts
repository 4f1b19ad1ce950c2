import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { lookupPrice, type PriceTable } from "../accounting/prices.ts";
import { defaultPrices } from "../providers/default-prices.ts";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { UpstreamError } from "../core/errors/upstream-error.ts";
import type { RunContext } from "../core/types.ts";
import { upstreamErrorFromSdk } from "../providers/openai/upstream-error-from-sdk.ts";
import { Limiter } from "../providers/resilience/limiter.ts";
import type { RetryOptions } from "../providers/resilience/retry.ts";
import { NO_SDK_TIMEOUT, sdkClientSettings } from "../providers/sdk-client-settings.ts";
import type { Embedder } from "./embedder.ts";
import { tracedEmbedCall } from "./traced-embed-call.ts";
import { settleAll } from "../core/settle-all.ts";

export interface OpenAIEmbedderOptions {
  /** Where OPENAI_BASE_URL, OPENAI_API_KEY and OPENAI_LOG are read (default: process.env; the runtime passes its own). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Default "text-embedding-3-small". */
  model?: string;
  /** Default: OPENAI_BASE_URL, else api.openai.com. */
  baseURL?: string;
  /** Default: OPENAI_API_KEY (a placeholder when only a base URL is set: local servers need none). */
  apiKey?: string;
  /** A ready client; its own retries and timeout are overridden per call. */
  client?: OpenAI;
  /** Ask for shorter vectors (text-embedding-3 models support it). */
  dimensions?: number;
  /** Texts per request (default 128). */
  batchSize?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  retry?: Omit<RetryOptions, "signal" | "onRetry">;
  /** Per-request timeout in ms (default 60 s). */
  timeoutMs?: number;
  prices?: PriceTable;
}

const PROVIDER = "openai";
const SDK_ERRORS = { APIError, APIUserAbortError, APIConnectionError, APIConnectionTimeoutError };

/**
 * Embeddings from any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, vLLM, llama.cpp server,
 * Ollama, LM Studio …) through the official SDK: texts go in batches, requests run concurrently up to
 * a limit, and failures are retried and typed exactly as chat calls are (UpstreamError).
 */
export function openaiEmbedder(options: OpenAIEmbedderOptions = {}): Embedder {
  const model = options.model ?? "text-embedding-3-small";
  const id = `openai:${model}`;
  const client = options.client ?? createClient(options);
  const batchSize = options.batchSize ?? 128;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ConfigurationError(`openai embedder: batchSize must be an integer >= 1, got ${batchSize}`);
  const limiter = new Limiter(options.concurrency ?? 4);
  const price = lookupPrice(id, options.prices ?? defaultPrices);

  async function request(
    input: string[],
    signal: AbortSignal,
  ): Promise<{ vectors: number[][]; promptTokens?: number }> {
    let body: OpenAI.CreateEmbeddingResponse;
    try {
      // Some servers reject empty strings; a space embeds as "nothing" just as well.
      const params = {
        model,
        input: input.map((t) => t || " "),
        ...(options.dimensions ? { dimensions: options.dimensions } : {}),
      };
      body = await client.embeddings.create(params, { signal, maxRetries: 0, timeout: NO_SDK_TIMEOUT });
    } catch (error) {
      throw upstreamErrorFromSdk({ error, provider: PROVIDER, classes: SDK_ERRORS });
    }
    const data = Array.isArray(body?.data) ? [...body.data].sort((a, b) => a.index - b.index) : [];
    if (data.length !== input.length || data.some((d) => !Array.isArray(d.embedding) || d.embedding.length === 0))
      throw new UpstreamError({
        provider: PROVIDER,
        failure: "malformed",
        message: `expected ${input.length} embeddings, got ${data.length} usable ones`,
      });
    return { vectors: data.map((d) => d.embedding), promptTokens: body.usage?.prompt_tokens };
  }

  return {
    id,
    dimensions: options.dimensions,
    /** Options and traces print the embedder as its spec. */
    toJSON: () => id,
    async embed(texts: string[], ctx?: RunContext): Promise<number[][]> {
      const batches: string[][] = [];
      for (let i = 0; i < texts.length; i += batchSize) batches.push(texts.slice(i, i + batchSize));
      // After a failure no new batch starts, and every batch in flight ends before the failure is thrown:
      // one still running would spend after the caller settled the bill.
      let failure: unknown;
      const results = await settleAll(
        batches.map((batch) =>
          limiter
            .run(() => {
              if (failure !== undefined) throw failure;
              return tracedEmbedCall({
                ctx,
                id,
                provider: PROVIDER,
                model,
                texts: batch,
                retry: options.retry,
                timeoutMs: options.timeoutMs ?? 60_000,
                price,
                call: (signal) => request(batch, signal),
              });
            }, ctx?.signal)
            .catch((error: unknown) => {
              failure ??= error;
              throw error;
            }),
        ),
      );
      return results.flat();
    },
  };
}

function createClient(options: OpenAIEmbedderOptions): OpenAI {
  const settings = sdkClientSettings({
    baseURL: options.baseURL,
    apiKey: options.apiKey,
    envPrefix: "OPENAI",
    // A library entry point: the process's environment unless the caller (the runtime) gives one.
    env: options.env ?? process.env,
    noKey:
      "openai embeddings: no API key. Set OPENAI_API_KEY (or pass apiKey), or set OPENAI_BASE_URL / baseURL for a local server.",
  });
  return new OpenAI({ ...settings });
}
