/**
 * A 0–10 score from a judge's reply, or undefined. Prefers an explicit "Score: N" (the last one, as
 * judges sometimes restate the scale first), then "N/10" or "N out of 10", then a reply that is only a
 * number. Values outside 0–10 are rejected rather than clamped: they mean the judge used another scale.
 */
export function parseScore(text: string): number | undefined {
  const plain = text.replace(/[*_`#]/g, "");
  const patterns = [
    /\b(?:final\s+)?(?:score|rating|grade)\s*(?:is|of|[:=\-])?\s*(-?\d+(?:\.\d+)?)(?:\s*(?:\/|out\s+of)\s*10\b)?/gi,
    /(-?\d+(?:\.\d+)?)\s*(?:\/|out\s+of)\s*10\b/gi,
    /^\s*(-?\d+(?:\.\d+)?)\s*\.?\s*$/g,
  ];
  for (const pattern of patterns) {
    const matches = [...plain.matchAll(pattern)];
    for (let i = matches.length - 1; i >= 0; i--) {
      const value = Number(matches[i]![1]);
      if (Number.isFinite(value) && value >= 0 && value <= 10) return value;
    }
  }
  return undefined;
}
