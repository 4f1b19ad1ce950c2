const words = String.raw`(not\s+|n't\s+)?\b(pass(?:ed)?|fail(?:ed)?|correct|incorrect|wrong|right)\b`;
const labelled = new RegExp(String.raw`\bverdict\b[^a-z\n]{0,10}` + words, "gi");
const bare = new RegExp(words.replace("|right", ""), "gi");

/**
 * Reads a judge's pass/fail verdict leniently: the last "Verdict: PASS|FAIL" (also CORRECT /
 * INCORRECT), else the last such word on the final non-empty line ("not correct" is a fail).
 * Undefined when it says neither.
 */
export function parseVerdict(text: string): boolean | undefined {
  const match = [...text.matchAll(labelled)].at(-1) ?? [...lastLine(text).matchAll(bare)].at(-1);
  if (!match) return undefined;
  const positive = /^(pass|passed|correct|right)$/i.test(match[2]!);
  return match[1] ? !positive : positive;
}

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}
