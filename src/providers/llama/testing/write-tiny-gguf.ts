import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { seededRandom } from "../../../core/seeded-random.ts";
import { encodeGguf, type GgufTensor, type GgufValue } from "./encode-gguf.ts";

export interface TinyGgufOptions {
  /** Where to write the file (folders are created). */
  path: string;
  /** Seed of the random weights (default 1): the same seed writes the same bytes. */
  seed?: number;
  /** Hidden size (default 64; a multiple of 4 heads * 2). */
  embeddingLength?: number;
  /** Transformer blocks (default 2). */
  blockCount?: number;
  /** Trained context length recorded in the metadata (default 512). */
  contextLength?: number;
  /** Weight type (default "f32"). */
  tensorType?: "f32" | "f16";
}

const HEADS = 4;
const KV_HEADS = 2;

/** A ChatML template (the same shape many instruct models ship), so node-llama-cpp picks its ChatML wrapper. */
export const TINY_CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/**
 * Writes a tiny but complete llama-architecture GGUF v3 model with seeded random weights and a byte-level
 * SentencePiece vocabulary: `<unk>`, `<s>`, `</s>`, 256 byte tokens, ChatML control tokens, `▁` and the
 * printable ASCII characters (so every character is one token). llama.cpp loads it and generates (noise).
 * Returns the path written.
 */
export async function writeTinyGguf(options: TinyGgufOptions): Promise<string> {
  const nEmbd = options.embeddingLength ?? 64;
  if (nEmbd % (HEADS * 2) !== 0)
    throw new RangeError(`embeddingLength must be a multiple of ${HEADS * 2}, got ${nEmbd}`);
  const blocks = options.blockCount ?? 2;
  const nFf = nEmbd * 2;
  const headDim = nEmbd / HEADS;
  const nKv = headDim * KV_HEADS;
  const vocab = tinyVocabulary();
  const nVocab = vocab.tokens.length;
  const random = normalRandom(options.seed ?? 1);
  const type = options.tensorType ?? "f32";

  const matrix = (name: string, cols: number, rows: number, std: number): GgufTensor => ({
    name,
    dims: [cols, rows],
    type,
    data: Float32Array.from({ length: cols * rows }, () => random() * std),
  });
  // Norm weights stay f32, as llama.cpp's converters write them.
  const norm = (name: string): GgufTensor => ({
    name,
    dims: [nEmbd],
    type: "f32",
    data: Float32Array.from({ length: nEmbd }, () => 1 + random() * 0.05),
  });

  const tensors: GgufTensor[] = [
    matrix("token_embd.weight", nEmbd, nVocab, 1),
    norm("output_norm.weight"),
    matrix("output.weight", nEmbd, nVocab, 3 / Math.sqrt(nEmbd)),
  ];
  for (let b = 0; b < blocks; b++) {
    const p = `blk.${b}.`;
    const s = 1 / Math.sqrt(nEmbd);
    tensors.push(
      norm(`${p}attn_norm.weight`),
      matrix(`${p}attn_q.weight`, nEmbd, nEmbd, s),
      matrix(`${p}attn_k.weight`, nEmbd, nKv, s),
      matrix(`${p}attn_v.weight`, nEmbd, nKv, s),
      matrix(`${p}attn_output.weight`, nEmbd, nEmbd, s),
      norm(`${p}ffn_norm.weight`),
      matrix(`${p}ffn_gate.weight`, nEmbd, nFf, s),
      matrix(`${p}ffn_up.weight`, nEmbd, nFf, s),
      matrix(`${p}ffn_down.weight`, nFf, nEmbd, 1 / Math.sqrt(nFf)),
    );
  }

  const u32 = (value: number): GgufValue => ({ type: "uint32", value });
  const metadata: Record<string, GgufValue> = {
    "general.architecture": { type: "string", value: "llama" },
    "general.name": { type: "string", value: "lmx-tiny" },
    "general.alignment": u32(32),
    // 0 = all F32, 1 = mostly F16 (llama_ftype).
    "general.file_type": u32(type === "f32" ? 0 : 1),
    "llama.context_length": u32(options.contextLength ?? 512),
    "llama.embedding_length": u32(nEmbd),
    "llama.block_count": u32(blocks),
    "llama.feed_forward_length": u32(nFf),
    "llama.attention.head_count": u32(HEADS),
    "llama.attention.head_count_kv": u32(KV_HEADS),
    "llama.attention.layer_norm_rms_epsilon": { type: "float32", value: 1e-5 },
    "llama.rope.dimension_count": u32(headDim),
    "llama.rope.freq_base": { type: "float32", value: 10000 },
    "llama.vocab_size": u32(nVocab),
    "tokenizer.ggml.model": { type: "string", value: "llama" },
    "tokenizer.ggml.tokens": { type: "array", itemType: "string", value: vocab.tokens },
    "tokenizer.ggml.scores": { type: "array", itemType: "float32", value: vocab.scores },
    "tokenizer.ggml.token_type": { type: "array", itemType: "int32", value: vocab.types },
    "tokenizer.ggml.unknown_token_id": u32(0),
    "tokenizer.ggml.bos_token_id": u32(1),
    "tokenizer.ggml.eos_token_id": u32(2),
    "tokenizer.ggml.eot_token_id": u32(vocab.imEnd),
    "tokenizer.ggml.add_bos_token": { type: "bool", value: true },
    "tokenizer.ggml.add_eos_token": { type: "bool", value: false },
    // Without a space prefix, token counts are exactly one per character of the rendered prompt.
    "tokenizer.ggml.add_space_prefix": { type: "bool", value: false },
    "tokenizer.chat_template": { type: "string", value: TINY_CHAT_TEMPLATE },
  };

  const bytes = encodeGguf({ metadata, tensors, alignment: 32 });
  await mkdir(path.dirname(options.path), { recursive: true });
  await writeFile(options.path, bytes);
  return options.path;
}

/** Token types as llama.cpp numbers them. */
const NORMAL = 1;
const UNKNOWN = 2;
const CONTROL = 3;
const BYTE = 6;

function tinyVocabulary(): { tokens: string[]; scores: number[]; types: number[]; imEnd: number } {
  const tokens: string[] = [];
  const types: number[] = [];
  const add = (text: string, type: number) => {
    tokens.push(text);
    types.push(type);
    return tokens.length - 1;
  };
  add("<unk>", UNKNOWN);
  add("<s>", CONTROL);
  add("</s>", CONTROL);
  for (let b = 0; b < 256; b++) add(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`, BYTE);
  add("<|im_start|>", CONTROL);
  const imEnd = add("<|im_end|>", CONTROL);
  add("\u2581", NORMAL);
  for (let c = 0x21; c <= 0x7e; c++) add(String.fromCharCode(c), NORMAL);
  // Single characters never merge, so scores only order them.
  const scores = tokens.map((_, i) => -i);
  return { tokens, scores, types, imEnd };
}

/** A seeded standard-normal generator (mulberry32 + Box-Muller). */
function normalRandom(seed: number): () => number {
  const uniform = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}
