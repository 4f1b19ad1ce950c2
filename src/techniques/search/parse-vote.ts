const explicit = /best\s+choice\s+is\s*:?\s*(?:choice\s*)?#?(\d+)/gi;
const mention = /\b(?:choice|option|candidate|response|solution)\s*#?(\d+)/i;

/**
 * The 0-based choice a vote picks, or undefined (an abstention). Prefers the last "The best choice is
 * N" (the paper's format), then the last line naming a choice ("Choice 2 looks best"), then a last
 * line that is only a number. Numbers outside 1..choices abstain instead of being clamped.
 */
export function parseVote({ text, choices }: { text: string; choices: number }): number | undefined {
  const plain = text.replace(/[*_`#]/g, "");
  const inRange = (n: number) => (Number.isInteger(n) && n >= 1 && n <= choices ? n - 1 : undefined);
  const last = [...plain.matchAll(explicit)].at(-1);
  if (last) return inRange(Number(last[1]));
  const lines = plain
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = mention.exec(lines[i]!);
    if (m) return inRange(Number(m[1]));
  }
  const bare = /^(\d+)\.?$/.exec(lines.at(-1) ?? "");
  return bare ? inRange(Number(bare[1])) : undefined;
}
