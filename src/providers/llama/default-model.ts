/** The embedded default: a small instruct model (Qwen2.5 0.5B, Q4_K_M), downloaded on first use. */
export const DEFAULT_LLAMA_MODEL = "hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf";
