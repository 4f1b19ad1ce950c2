import { resolve } from "node:path";
import type { LoadedConfig } from "../config/load-config.ts";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { Embedder } from "./embedder.ts";

/** Embedder specs: `openai:<model>` (any OpenAI-compatible /v1/embeddings) or `llama:<file.gguf>`. */
export function embedderFromSpec(options: {
  spec: string;
  config?: Pick<LoadedConfig, "embeddings" | "providers" | "env">;
  cwd?: string;
}): Promise<Embedder> {
  const { spec, config, cwd = process.cwd() } = options;
  const colon = spec.indexOf(":");
  const provider = colon > 0 ? spec.slice(0, colon) : "";
  const rest = colon > 0 ? spec.slice(colon + 1).trim() : "";
  const settings = config?.embeddings ?? {};
  if (provider === "openai" && rest)
    return import("./openai-embedder.ts").then(({ openaiEmbedder }) =>
      openaiEmbedder({
        model: rest,
        baseURL: settings.baseURL ?? config?.providers.openai?.baseURL ?? config?.env.OPENAI_BASE_URL,
        apiKey: settings.apiKey ?? config?.providers.openai?.apiKey ?? config?.env.OPENAI_API_KEY,
        dimensions: settings.dimensions,
        batchSize: settings.batchSize,
        env: config?.env ?? {},
      }),
    );
  if (provider === "llama" && rest)
    return import("./llama-embedder.ts").then(({ llamaEmbedder }) =>
      llamaEmbedder({ modelPath: resolve(cwd, rest), threads: settings.threads }),
    );
  return Promise.reject(
    new InvalidRequestError(
      `unknown embedder spec "${spec}": use openai:<model> (e.g. openai:text-embedding-3-small) or llama:<file.gguf>`,
      { param: "embedder" },
    ),
  );
}
