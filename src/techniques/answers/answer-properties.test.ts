import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { AnswerKind } from "./answer-kind.ts";
import { canonicalAnswer } from "./canonical-answer.ts";
import { canonicalChoice } from "./canonical-choice.ts";
import { canonicalDate } from "./canonical-date.ts";
import { canonicalLiteral } from "./canonical-literal.ts";
import { canonicalNumber } from "./canonical-number.ts";
import { canonicalText } from "./canonical-text.ts";
import { classifyAnswer } from "./classify-answer.ts";
import { extractAnswer } from "./extract-answer.ts";

const kinds: AnswerKind[] = ["auto", "number", "choice", "text", "literal", "date"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** Texts that look like model output: prose words, numbers, dates, choices, markers, markdown. */
const piece = fc.oneof(
  fc.constantFrom(
    "The answer is",
    "Answer:",
    "So",
    "Therefore,",
    "####",
    "A:",
    "**",
    "\n",
    ".",
    ",",
    "(B)",
    "$",
    "%",
    "=",
    "\\boxed{",
    "}",
    "[1, 2]",
    "'x'",
    "yes",
    "dollars",
    "kg",
  ),
  fc.integer({ min: -5000, max: 5000 }).map(String),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((x) => x.toFixed(2)),
  fc
    .tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.integer({ min: 1900, max: 2100 }))
    .map(([m, d, y]) => `${m}/${d}/${y}`),
  fc.string({ maxLength: 8 }),
);
const modelText = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(" "));

/** The canonical form of an extracted span under each kind (canonicalAnswer without the extraction). */
const canonicalisers: Record<string, (span: string) => string | undefined> = {
  auto: (s) => classifyAnswer(s)?.value,
  number: (s) => canonicalNumber(s),
  choice: (s) => canonicalChoice(s),
  date: (s) => canonicalDate(s),
  text: (s) => canonicalText(s),
  literal: (s) => canonicalLiteral(s),
};

test("canonicalisation is idempotent: the canonical form of a canonical answer is itself", () => {
  fc.assert(
    fc.property(modelText, fc.constantFrom(...Object.keys(canonicalisers)), (text, kind) => {
      const span = extractAnswer(text, kind as AnswerKind);
      const once = span === undefined ? undefined : canonicalisers[kind]!(span);
      if (once === undefined) return;
      assert.equal(canonicalisers[kind]!(once), once, `${JSON.stringify(span)} as ${kind}`);
    }),
    { numRuns: 3000 },
  );
});

test("the extracted answer is taken from the text: a substring, modulo whitespace", () => {
  const squash = (s: string) => s.replace(/\s+/g, "");
  fc.assert(
    fc.property(modelText, fc.constantFrom(...kinds), (text, kind) => {
      const span = extractAnswer(text, kind);
      if (span !== undefined)
        assert.ok(squash(text).includes(squash(span)), `${JSON.stringify(span)} not in ${JSON.stringify(text)}`);
    }),
    { numRuns: 3000 },
  );
});

test("a number written in any common form inside a sentence canonicalises to its value", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 9_999_999 }),
      fc.constantFrom("", "$", "€"),
      fc.constantFrom("", " dollars", " kg", "%"),
      fc.boolean(),
      (n, currency, unit, commas) => {
        const written = commas ? n.toLocaleString("en-US") : String(n);
        assert.equal(canonicalAnswer(`So she pays ${currency}${written}${unit} in total.`, "auto"), String(n));
        assert.equal(canonicalNumber(`${currency}${written}${unit}`, { strict: true }), String(n));
      },
    ),
    { numRuns: 1000 },
  );
});

test("a date written in any common form, inside a sentence, reads as the same ISO date under auto", () => {
  fc.assert(
    fc.property(
      fc.date({ min: new Date("1950-01-01"), max: new Date("2060-12-31"), noInvalidDate: true }),
      fc.integer({ min: 0, max: 4 }),
      (date, form) => {
        const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
        const iso = `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
        const written = [
          `${String(m).padStart(2, "0")}/${String(d).padStart(2, "0")}/${y}`,
          `${m}/${d}/${y}`,
          `${MONTHS[m - 1]} ${d}, ${y}`,
          `${d} ${MONTHS[m - 1]!.slice(0, 3)} ${y}`,
          iso,
        ][form]!;
        assert.equal(canonicalAnswer(`Therefore, today's date is ${written}.`, "auto"), iso, written);
        assert.equal(canonicalDate(written, { strict: true }), iso, written);
      },
    ),
    { numRuns: 1000 },
  );
});
