/*
 * Synonyms by tag: lessons are short and general ("Convert every quantity to one unit before
 * adding", tag units) while questions are specific ("How many grams are 2 kg and 300 g?"), so they
 * rarely share a word. Each concept below lists words that signal it in a question; a question that
 * has one also searches for the concept's tag names and the general words lessons about it use.
 * The list is small and fixed on purpose: it covers the kinds of lesson the memory technique learns
 * from reasoning tasks (units, money, percentages, time, dates, rates, geometry, counting, code).
 */

interface Concept {
  /** Tag names (and words) a lesson about it carries. */
  tags: string[];
  /** General words lessons about it use. */
  words: string[];
  /** Words in a question that signal it (lowercase; matched whole, or with a plural/suffix -s). */
  signals: string[];
}

const CONCEPTS: Concept[] = [
  {
    tags: ["units", "unit", "conversion", "measurement"],
    words: ["convert", "quantity", "unit"],
    signals: [
      "g",
      "kg",
      "mg",
      "gram",
      "kilogram",
      "milligram",
      "lb",
      "pound",
      "oz",
      "ounce",
      "ton",
      "tonne",
      "m",
      "cm",
      "mm",
      "km",
      "meter",
      "metre",
      "centimeter",
      "kilometer",
      "inch",
      "foot",
      "feet",
      "ft",
      "yard",
      "mile",
      "l",
      "ml",
      "liter",
      "litre",
      "milliliter",
      "gallon",
      "quart",
      "pint",
      "cup",
      "tablespoon",
      "teaspoon",
      "celsius",
      "fahrenheit",
    ],
  },
  {
    tags: ["money", "currency", "cost"],
    words: ["price", "total", "cost"],
    signals: [
      "dollar",
      "cent",
      "euro",
      "pound",
      "price",
      "cost",
      "pay",
      "paid",
      "spend",
      "spent",
      "earn",
      "earned",
      "wage",
      "salary",
      "profit",
      "change",
      "$",
      "€",
      "£",
    ],
  },
  {
    tags: ["percent", "percentage", "discount"],
    words: ["percent", "fraction"],
    signals: ["percent", "percentage", "%", "discount", "interest", "tax", "tip", "markup", "increase", "decrease"],
  },
  {
    tags: ["time", "duration"],
    words: ["time", "convert", "unit"],
    signals: ["hour", "minute", "second", "hr", "min", "sec", "clock", "am", "pm", "duration", "o'clock"],
  },
  {
    tags: ["dates", "date", "calendar"],
    words: ["date", "day", "month"],
    signals: [
      "date",
      "yesterday",
      "tomorrow",
      "today",
      "week",
      "weekday",
      "monday",
      "tuesday",
      "wednesday",
      "thursday",
      "friday",
      "saturday",
      "sunday",
      "january",
      "february",
      "march",
      "april",
      "june",
      "july",
      "august",
      "september",
      "october",
      "november",
      "december",
      "leap",
      "calendar",
    ],
  },
  {
    tags: ["rate", "rates", "speed"],
    words: ["rate", "per"],
    signals: ["speed", "mph", "kmh", "rate", "per", "faster", "slower", "travel", "travels", "drive", "drives"],
  },
  {
    tags: ["geometry", "shapes"],
    words: ["area", "formula"],
    signals: [
      "area",
      "perimeter",
      "radius",
      "diameter",
      "circle",
      "triangle",
      "rectangle",
      "square",
      "volume",
      "angle",
      "circumference",
    ],
  },
  {
    tags: ["counting", "combinatorics", "probability"],
    words: ["count", "case"],
    signals: [
      "probability",
      "chance",
      "dice",
      "die",
      "coin",
      "arrange",
      "arrangements",
      "ways",
      "combinations",
      "permutations",
      "choose",
    ],
  },
  {
    tags: ["code", "python", "programming"],
    words: ["code", "function"],
    signals: ["python", "function", "def", "list", "dict", "string", "loop", "return", "javascript", "array", "index"],
  },
];

const bySignal = new Map<string, Concept[]>();
for (const concept of CONCEPTS)
  for (const signal of concept.signals) bySignal.set(signal, [...(bySignal.get(signal) ?? []), concept]);

/** Question words, with "$"/"%"/"€"/"£" kept as words and a plural -s/-es dropped as a second reading. */
function readings(question: string): string[] {
  const words = question.toLowerCase().match(/[\p{L}\p{N}']+|[$%€£]/gu) ?? [];
  return words
    .flatMap((w) => [w, w.replace(/(?:es|s)$/, ""), w.replace(/s$/, "")])
    .filter((w) => w && !/^\d+$/.test(w));
}

/**
 * The tag names and general words of every concept the question signals (deduplicated; none when
 * it signals none). "2 kg and 300 g" signals units: ["units", "unit", "conversion", ...].
 */
export function conceptTerms(question: string): string[] {
  const terms = new Set<string>();
  for (const word of readings(question))
    for (const concept of bySignal.get(word) ?? [])
      for (const term of [...concept.tags, ...concept.words]) terms.add(term);
  return [...terms];
}
