/**
 * What `lmx tune` compares when given no candidates: the bare model and a few techniques that help
 * across tasks at modest cost. Each one's main knob is tuned too (n, max, reads, variant, rounds);
 * `--bootstrap-demos K` adds few-shot. Kept small on purpose: every candidate costs model calls.
 */
export const DEFAULT_CANDIDATES: readonly string[] = [
  "none",
  "self-consistency",
  "adaptive-consistency",
  "re2",
  "plan-and-solve",
  "self-refine",
];
