/** Sample 0 keeps the base seed; later samples get distinct, reproducible seeds. */
export function deriveSeed(base: number | undefined, sampleIndex: number): number | undefined {
  if (base === undefined) return undefined;
  if (sampleIndex === 0) return base;
  let h = (Math.imul(base | 0, 0x9e3779b1) ^ Math.imul(sampleIndex, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  return h % 2_147_483_647;
}
