import type { LlamaEmbeddingContext } from "node-llama-cpp";
import { resolve } from "node:path";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import type { RunContext } from "../core/types.ts";
import { acquireModel, type ModelHandle } from "../providers/llama/llama-runtime.ts";
import type { Embedder } from "./embedder.ts";
import { tracedEmbedCall } from "./traced-embed-call.ts";

export interface LlamaEmbedderOptions {
  /** A local .gguf file (an embedding model such as nomic-embed-text or bge; any llama.cpp model works). */
  modelPath: string;
  /** CPU threads (default: llama.cpp's choice; tests use 1). */
  threads?: number;
  /** Tokens per text; longer texts are cut to fit (default: the model's trained context, at most 2048). */
  contextSize?: number;
  gpu?: boolean;
}

interface Loaded {
  handle: ModelHandle;
  context: LlamaEmbeddingContext;
  contextSize: number;
}

/**
 * Embeddings from a local llama.cpp model through node-llama-cpp's embedding context. The model is
 * loaded at the first call (and shared with chat LMs on the same file); texts are embedded one at a
 * time, cut to the context size. Vectors are as long as the model's hidden size.
 */
export function llamaEmbedder(options: LlamaEmbedderOptions): Embedder {
  const modelPath = resolve(options.modelPath);
  let loading: Promise<Loaded> | undefined;
  let dimensions: number | undefined;
  // One context evaluates one sequence: calls queue behind each other.
  let queue: Promise<unknown> = Promise.resolve();

  const load = () =>
    (loading ??= (async () => {
      const handle = await acquireModel({ path: modelPath, gpu: options.gpu });
      try {
        const contextSize = options.contextSize ?? Math.min(handle.model.trainContextSize, 2048);
        const context = await handle.model.createEmbeddingContext({ contextSize, threads: options.threads });
        dimensions = handle.model.embeddingVectorSize;
        return { handle, context, contextSize };
      } catch (error) {
        await handle.release();
        throw new ConfigurationError(
          `cannot create an embedding context for ${modelPath}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    })().catch((error) => {
      loading = undefined;
      throw error;
    }));

  async function embedAll(texts: readonly string[]): Promise<{ vectors: number[][]; promptTokens: number }> {
    const { handle, context, contextSize } = await load();
    const vectors: number[][] = [];
    let promptTokens = 0;
    for (const text of texts) {
      let tokens = handle.model.tokenize(text || " ");
      // Room for the BOS/EOS tokens llama.cpp adds around the input.
      while (tokens.length > 0 && context.calculateInputLength(tokens) >= contextSize)
        tokens = tokens.slice(0, Math.max(1, Math.min(tokens.length - 1, contextSize - 4)));
      promptTokens += tokens.length;
      const embedding = await context.getEmbeddingFor(tokens);
      vectors.push([...embedding.vector]);
    }
    return { vectors, promptTokens };
  }

  return {
    id: `llama:${modelPath}`,
    get dimensions() {
      return dimensions;
    },
    /** Options and traces print the embedder as its spec. */
    toJSON: () => `llama:${modelPath}`,
    embed(texts: string[], ctx?: RunContext): Promise<number[][]> {
      const run = queue.then(() =>
        tracedEmbedCall({
          ctx,
          id: `llama:${modelPath}`,
          provider: "llama",
          model: modelPath,
          texts,
          call: () => embedAll(texts),
        }),
      );
      queue = run.catch(() => undefined);
      return run;
    },
    async close() {
      const current = loading;
      loading = undefined;
      const loaded = await current?.catch(() => undefined);
      if (!loaded) return;
      await loaded.context.dispose();
      await loaded.handle.release();
    },
  };
}
