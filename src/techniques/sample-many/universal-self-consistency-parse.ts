/**
 * The 0-based index of the response a selector named, or undefined. Tries, in order: the answer
 * format the prompt asks for ("The most consistent response is Response 3"), the first "Response k"
 * mention in range, then a reply that is only a number. Numbers out of range are skipped, not clamped.
 */
export function parseSelection(text: string, count: number): number | undefined {
  const plain = text.replace(/[*_`]/g, "");
  const inRange = (raw: string | undefined) => {
    const k = Number(raw);
    return Number.isInteger(k) && k >= 1 && k <= count ? k - 1 : undefined;
  };
  const patterns = [
    /most\s+consistent\s+response\s+is\s*:?\s*(?:response|answer|option)?\s*(?:#|no\.?|number)?\s*\[?(\d+)\]?/gi,
    /\b(?:response|answer|option)\s*(?:#|no\.?|number)?\s*\[?(\d+)\]?/gi,
    /^\s*\[?(\d+)\]?\s*\.?\s*$/g,
  ];
  for (const pattern of patterns) {
    for (const match of plain.matchAll(pattern)) {
      const index = inRange(match[1]);
      if (index !== undefined) return index;
    }
  }
  return undefined;
}
