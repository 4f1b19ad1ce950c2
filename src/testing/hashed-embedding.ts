/**
 * A deterministic bag-of-words embedding: each lower-cased word is hashed to a dimension and a sign,
 * and the sum is L2-normalised. Texts sharing words get a high cosine similarity, which is all that
 * retrieval tests need, with no model and no network.
 */
export function hashedEmbedding(options: { text: string; dimensions?: number }): number[] {
  const dimensions = options.dimensions ?? 256;
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of options.text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const h = fnv1a(word);
    vector[h % dimensions]! += h >>> 31 === 1 ? -1 : 1;
  }
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector : vector.map((x) => x / norm);
}

/** 32-bit FNV-1a over UTF-16 code units. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
