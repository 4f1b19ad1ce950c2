import { parseScore } from "../sample-many/best-of-n-score.ts";

/** The values Yao et al. 2023 give the three judgements of a state (Game of 24 value prompt). */
export const judgementValues = { sure: 20, likely: 1, impossible: 0.001 } as const;

const judgement = /\b(not\s+)?(sure|likely|unlikely|impossible)\b/gi;

/**
 * A state's value from an evaluator's reply, or undefined when it gives none. Read from the last
 * line that states one, upwards: a judgement word ("sure" 20, "likely" 1, "impossible" or
 * "unlikely" 0.001, as in the paper; "not sure" is no judgement) or else a 0–10 score ("Score: 7",
 * "7/10", a bare number), for custom prompts that ask for a score.
 */
export function parseValue(text: string): number | undefined {
  const lines = text
    .split("\n")
    .map((l) => l.replace(/[*_`#]/g, "").trim())
    .filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    const words = [...lines[i]!.matchAll(judgement)].filter((m) => !m[1]);
    const word = words.at(-1)?.[2]?.toLowerCase();
    if (word)
      return word === "unlikely" ? judgementValues.impossible : judgementValues[word as keyof typeof judgementValues];
    const score = parseScore(lines[i]!);
    if (score !== undefined) return score;
  }
  return undefined;
}
