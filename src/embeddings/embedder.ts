import type { RunContext } from "../core/types.ts";

/**
 * Turns texts into vectors for retrieval. Vectors from different embedders are not comparable, so
 * stores record `id` (and the vector length) and refuse to mix them.
 */
export interface Embedder {
  /** Names the model as a spec: `openai:text-embedding-3-small`, `llama:/models/e5.gguf`. */
  readonly id: string;
  /** Vector length, when known before the first call. */
  readonly dimensions?: number;
  /** One vector per text, in order. With `ctx`, calls land in its trace and are charged to its budget. */
  embed(texts: string[], ctx?: RunContext): Promise<number[][]>;
  /** Release native resources (llama.cpp contexts); harmless to call twice. */
  close?(): Promise<void>;
  /** How it prints in technique options and traces: its spec. */
  toJSON?(): string;
}
