/** llama.cpp sampling settings for one sample (kept apart from node-llama-cpp, an optional package, so public types need not load it). */
export interface Sampling {
  temperature: number;
  topP: number;
  topK: number;
  minP: number;
  seed: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
}
