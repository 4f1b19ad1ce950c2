/** What a critic said about a draft. */
export interface Critique {
  /** Score on a 0-10 scale, when the critic gave one (a bare stop phrase counts as 10). */
  score?: number;
  /** The critic found nothing to change. */
  done: boolean;
}

// "Score: 7/10", "**Score:** 7 / 10", "score = 7 out of 10", "Rating: 8", "Score: 85/100"
const scorePattern = /\b(?:score|rating)\b[^\d\n]{0,20}?(\d+(?:\.\d+)?)(?:[*_\s]*(?:\/|out of)\s*(\d+(?:\.\d+)?))?/gi;
const bareFraction = /(\d+(?:\.\d+)?)\s*\/\s*10\b/g;

// After the stop phrase on its line, these words take it back: "No issues with the units, but ...".
const hedge = /\b(?:but|however|except|although|though|apart from|other than)\b/;

/**
 * Reads a critique leniently: the last score written in it (normalised to 0-10) and whether the
 * critic declared the draft done, i.e. a line starts with the stop phrase ("No issues.",
 * "**NO ISSUES** - the answer is right"). A line that merely mentions it later ("there are no
 * issues except ...") or hedges it ("No issues with the units, but the total is wrong") does not
 * count, so a hedged critique does not end the loop.
 */
export function parseCritique({ text, stopPhrase }: { text: string; stopPhrase: string }): Critique {
  const stop = normalise(stopPhrase);
  const declares = (line: string) => line.startsWith(stop) && !hedge.test(line.slice(stop.length));
  const done = stop.length > 0 && text.split("\n").some((line) => declares(normalise(line)));
  const score = lastScore(text) ?? (done ? 10 : undefined);
  return score === undefined ? { done } : { score, done };
}

function lastScore(text: string): number | undefined {
  const labelled = [...text.matchAll(scorePattern)].at(-1);
  if (labelled) return toTen(Number(labelled[1]), labelled[2] === undefined ? undefined : Number(labelled[2]));
  const fraction = [...text.matchAll(bareFraction)].at(-1);
  return fraction ? toTen(Number(fraction[1]), 10) : undefined;
}

function toTen(value: number, outOf: number | undefined): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  // Without a scale, numbers above 10 are read as percentages.
  const scaled = outOf ? (value / outOf) * 10 : value > 10 && value <= 100 ? value / 10 : value;
  return Math.max(0, Math.min(10, scaled));
}

function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[*_`#>"'“”]/g, "")
    .replace(/^\s*(?:[-•]\s*)?/, "")
    .replace(/\s+/g, " ")
    .trim();
}
