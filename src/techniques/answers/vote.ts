import { contentText } from "../../core/messages.ts";
import type { Choice } from "../../core/types.ts";
import type { AnswerKind } from "./answer-kind.ts";
import { canonicalAnswer } from "./canonical-answer.ts";

export interface VoteGroup {
  answer: string;
  count: number;
  /** Positions of the group's members in the voted choices. */
  indices: number[];
  /** Mean over members of each member's mean token logprob, when the choices carry logprobs. */
  meanLogprob?: number;
  /** Total vote weight, for confidence-weighted votes (see confidenceVote). */
  weight?: number;
}

export interface VoteResult {
  /** Most votes first. */
  groups: VoteGroup[];
  winner?: VoteGroup;
  /** A full response of the winning group. */
  representative?: Choice;
  total: number;
  /** Choices with no extractable answer. */
  abstained: number;
}

/** A choice's mean token logprob, or undefined without logprobs. */
export function meanLogprob(choice: Choice): number | undefined {
  const tokens = choice.logprobs?.content;
  if (!tokens || tokens.length === 0) return undefined;
  return tokens.reduce((sum, t) => sum + t.logprob, 0) / tokens.length;
}

/**
 * Majority over canonical answers; ties by mean logprob when every tied group has one, else first
 * occurrence. representative = a full response of the winning group: a finished one (not cut by
 * length) before a cut one, then the most likely (highest mean logprob), then the first.
 */
/** A choice's canonical answer; none when the technique said it found none (`no_answer`), whatever the text holds. */
export function choiceAnswer(choice: Choice, kind: AnswerKind = "auto"): string | undefined {
  return choice.finish_reason === "no_answer" ? undefined : canonicalAnswer(contentText(choice.message.content), kind);
}

export function vote(choices: Choice[], kind: AnswerKind = "auto"): VoteResult {
  const byAnswer = new Map<string, VoteGroup & { logprobs: number[] }>();
  let abstained = 0;
  choices.forEach((choice, i) => {
    const answer = choiceAnswer(choice, kind);
    if (answer === undefined) {
      abstained++;
      return;
    }
    const group = byAnswer.get(answer) ?? { answer, count: 0, indices: [], logprobs: [] };
    group.count++;
    group.indices.push(i);
    const lp = meanLogprob(choice);
    if (lp !== undefined) group.logprobs.push(lp);
    byAnswer.set(answer, group);
  });

  const groups: VoteGroup[] = [...byAnswer.values()].map(({ logprobs, ...g }) =>
    logprobs.length ? { ...g, meanLogprob: logprobs.reduce((a, b) => a + b, 0) / logprobs.length } : g,
  );
  // Insertion order is first occurrence; a stable sort by count keeps it within ties.
  groups.sort((a, b) => b.count - a.count);
  for (let start = 0; start < groups.length;) {
    let end = start + 1;
    while (end < groups.length && groups[end]!.count === groups[start]!.count) end++;
    const tied = groups.slice(start, end);
    if (tied.length > 1 && tied.every((g) => g.meanLogprob !== undefined)) {
      tied.sort((a, b) => b.meanLogprob! - a.meanLogprob!);
      groups.splice(start, tied.length, ...tied);
    }
    start = end;
  }

  const winner = groups[0];
  return {
    groups,
    winner,
    representative: winner && representativeOf(choices, winner),
    total: choices.length,
    abstained,
  };
}

function representativeOf(choices: Choice[], group: VoteGroup): Choice {
  const rank = (i: number) => ({
    done: choices[i]!.finish_reason !== "length",
    lp: meanLogprob(choices[i]!) ?? -Infinity,
  });
  let best = group.indices[0]!;
  for (const i of group.indices.slice(1)) {
    const a = rank(i);
    const b = rank(best);
    if ((a.done && !b.done) || (a.done === b.done && a.lp > b.lp)) best = i;
  }
  return choices[best]!;
}

/** A vote as plain JSON for trace events and progress: groups with counts, the winner, abstentions. */
export function voteSummary(v: VoteResult): Record<string, unknown> {
  return {
    groups: v.groups.map((g) => ({
      answer: g.answer,
      count: g.count,
      indices: g.indices,
      ...(g.meanLogprob === undefined ? {} : { mean_logprob: g.meanLogprob }),
      ...(g.weight === undefined ? {} : { weight: g.weight }),
    })),
    winner: v.winner?.answer ?? null,
    total: v.total,
    abstained: v.abstained,
  };
}

/** The canonical answer of each voted choice, in order (undefined where none was extracted). */
export function answersOf(v: VoteResult): (string | undefined)[] {
  const answers: (string | undefined)[] = new Array(v.total).fill(undefined);
  for (const g of v.groups) for (const i of g.indices) answers[i] = g.answer;
  return answers;
}
