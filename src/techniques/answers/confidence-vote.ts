import { z } from "zod";
import type { Choice } from "../../core/types.ts";
import type { AnswerKind } from "./answer-kind.ts";
import { vote, type VoteResult } from "./vote.ts";

/*
 * Confidence from logprobs (Fu et al. 2025, "Deep Think with Confidence"): a sample's confidence is
 * the mean over its tokens of the token confidence −(1/k)·Σ log p over the token's top-k
 * alternatives (high when the model's next-token distribution is peaked), or, when the provider
 * returns no alternatives, the geometric mean probability of its own tokens, exp(mean logprob).
 * Votes can be weighted by it, and the least confident samples dropped before voting.
 */

/** How votes count: one each, or each sample's confidence. */
export type VoteWeight = "count" | "confidence";

/** Which samples vote: all, or the most confident `fraction` of them (`top:0.9`). */
export type VoteKeep = { top: number } | "all";

/** Alternatives per token asked for when confidence is needed. */
export const CONFIDENCE_TOP_LOGPROBS = 5;

export const weightOption = z
  .enum(["count", "confidence"])
  .default("count")
  .describe(
    "How votes count: one each, or each sample's confidence from token logprobs (needs a model that returns logprobs).",
  );

export const keepOption = z
  .string()
  .regex(/^(?:all|top:(?:0?\.\d+|1(?:\.0+)?))$/, 'expected "all" or "top:F" with F in (0, 1], e.g. top:0.9')
  .refine((s) => s === "all" || Number(s.slice(4)) > 0, "top:F needs F > 0")
  .default("all")
  .describe("Which samples vote: all, or top:F, the most confident fraction F of them (needs logprobs).");

export function parseKeep(spec: string): VoteKeep {
  return spec === "all" ? "all" : { top: Number(spec.slice("top:".length)) };
}

/** Whether a vote needs token logprobs. */
export function needsConfidence(weight: VoteWeight, keep: VoteKeep): boolean {
  return weight === "confidence" || keep !== "all";
}

/** A sample's confidence (higher = surer), or undefined without logprobs. */
export function sampleConfidence(choice: Choice): number | undefined {
  const tokens = choice.logprobs?.content;
  if (!tokens || tokens.length === 0) return undefined;
  if (tokens.every((t) => (t.top_logprobs?.length ?? 0) >= 2))
    return (
      tokens.reduce((sum, t) => sum - t.top_logprobs!.reduce((s, a) => s + a.logprob, 0) / t.top_logprobs!.length, 0) /
      tokens.length
    );
  return Math.exp(tokens.reduce((sum, t) => sum + t.logprob, 0) / tokens.length);
}

export interface ConfidenceVoteResult extends VoteResult {
  /** Each sample's confidence, in order (undefined: no logprobs). */
  confidences: (number | undefined)[];
  /** Positions of the samples that voted. */
  kept: number[];
}

/**
 * A vote over the most confident samples (`keep`), each counting one or its confidence (`weight`).
 * Groups are ranked by total weight; their `count` stays the number of kept members, and indices
 * refer to `choices`. Samples without logprobs have confidence 0 (they are kept last and weigh nothing).
 */
export function confidenceVote(
  choices: Choice[],
  kind: AnswerKind,
  options: { weight: VoteWeight; keep: VoteKeep },
): ConfidenceVoteResult {
  const confidences = choices.map(sampleConfidence);
  const order = choices.map((_, i) => i).sort((a, b) => (confidences[b] ?? 0) - (confidences[a] ?? 0) || a - b);
  const keepCount = options.keep === "all" ? choices.length : Math.max(1, Math.ceil(options.keep.top * choices.length));
  const kept = order.slice(0, keepCount).sort((a, b) => a - b);
  const inner = vote(
    kept.map((i) => choices[i]!),
    kind,
  );
  const groups = inner.groups.map((g) => {
    const indices = g.indices.map((k) => kept[k]!);
    const weight = options.weight === "confidence" ? indices.reduce((s, i) => s + (confidences[i] ?? 0), 0) : g.count;
    return { ...g, indices, weight };
  });
  // A stable sort keeps the plain vote's order (and its tie-breaks) among equal weights.
  groups.sort((a, b) => b.weight - a.weight);
  const winner = groups[0];
  const representative =
    winner &&
    choices[
      winner.indices.reduce(
        (best, i) => ((confidences[i] ?? 0) > (confidences[best] ?? 0) ? i : best),
        winner.indices[0]!,
      )
    ];
  return { groups, winner, representative, total: choices.length, abstained: inner.abstained, confidences, kept };
}
