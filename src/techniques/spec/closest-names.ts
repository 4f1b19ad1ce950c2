/** Levenshtein distance between two strings (insert, delete, substitute; each costs 1). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitute));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** `candidates` ordered closest to `word` first (case-insensitive; ties keep their original order). */
export function closestNames(options: { word: string; candidates: readonly string[] }): string[] {
  const word = options.word.toLowerCase();
  return options.candidates
    .map((name, order) => ({ name, order, distance: editDistance(word, name.toLowerCase()) }))
    .sort((x, y) => x.distance - y.distance || x.order - y.order)
    .map((x) => x.name);
}

/**
 * The candidate a typo most likely meant, or undefined when nothing is close: within a third of the
 * word's length (at least 2 edits), or one name containing the other ("consistency" → "self-consistency").
 */
export function didYouMean(options: { word: string; candidates: readonly string[] }): string | undefined {
  const word = options.word.toLowerCase();
  const best = closestNames(options)[0];
  if (best === undefined || !word) return undefined;
  if (editDistance(word, best.toLowerCase()) <= Math.max(2, Math.floor(word.length / 3))) return best;
  if (word.length < 3) return undefined;
  return options.candidates.find((c) => c.toLowerCase().includes(word) || word.includes(c.toLowerCase()));
}
