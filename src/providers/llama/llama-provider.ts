import { FREE } from "../../accounting/free.ts";
import { z } from "zod";
import { providerDefinition } from "../provider-definition.ts";

/** `llama:<file.gguf>` or `llama:hf:owner/repo/file.gguf`: llama.cpp in-process. */
export const llamaProvider = providerDefinition({
  name: "llama",
  description: "embedded llama.cpp: a local .gguf file or hf:owner/repo/file.gguf (downloaded once)",
  example: "./model.gguf",
  capabilities: { nativeN: false, logprobs: true, tools: false, streaming: true, constrainedOutput: true },
  defaultConcurrency: 1,
  prices: FREE,
  settings: z.strictObject({
    threads: z.number().int().min(1).optional(),
    contextSize: z.number().int().min(64).optional(),
    modelsDir: z.string().optional(),
    concurrency: z.number().int().min(1).optional(),
    timeoutMs: z.number().int().min(1).optional(),
    /** One call's whole time, retries included (default: the larger of 180 s and timeoutMs). */
    totalTimeoutMs: z.number().int().min(1).optional(),
  }),
  async create({ model, settings, env, shared }) {
    const { llamaLM } = await import("./llama-lm.ts");
    return llamaLM({
      model,
      threads: settings.threads ?? (env.LMX_THREADS ? Number(env.LMX_THREADS) : undefined),
      contextSize: settings.contextSize,
      cacheDir: settings.modelsDir,
      limiter: shared.limiter,
      prices: shared.prices,
      cache: shared.cache,
      timeoutMs: settings.timeoutMs ?? 600_000,
      totalTimeoutMs: settings.totalTimeoutMs,
    });
  },
});
