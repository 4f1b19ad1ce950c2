/*
 * Dates become ISO 8601: "8/3/1997" = "08/03/1997" = "August 3, 1997" = "3 Aug 1997" = "1997-08-03".
 * Decided: all-numeric dates with the year last are read month first (US style, as in BIG-bench date
 * understanding), unless the first number cannot be a month ("25/12/2020" is 25 December). Two-digit
 * years follow POSIX/Python: 69-99 → 19xx, 00-68 → 20xx. A month and year give "1997-08"; a month and
 * day without a year give "--08-03".
 */

const MONTH = String.raw`(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`;
const DAY = String.raw`(\d{1,2})(?:st|nd|rd|th)?`;
const WEEKDAY = String.raw`(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?`;

type Parse = (m: RegExpExecArray) => string | undefined;
const patterns: [RegExp, Parse][] = [
  [new RegExp(String.raw`(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d])`, "i"), (m) => iso(+m[1]!, +m[3]!, +m[4]!)],
  [
    new RegExp(String.raw`(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?![\d])`, "i"),
    (m) => numeric(+m[1]!, +m[3]!, m[4]!),
  ],
  [new RegExp(String.raw`${WEEKDAY}${MONTH}\s+${DAY},?\s+(\d{4})`, "i"), (m) => iso(+m[3]!, month(m[1]!), +m[2]!)],
  [
    new RegExp(String.raw`${WEEKDAY}${DAY}\s+(?:of\s+)?${MONTH},?\s+(\d{4})`, "i"),
    (m) => iso(+m[3]!, month(m[2]!), +m[1]!),
  ],
  [new RegExp(String.raw`${MONTH},?\s+(\d{4})`, "i"), (m) => yearMonth(+m[2]!, month(m[1]!))],
  [new RegExp(String.raw`${WEEKDAY}${MONTH}\s+${DAY}(?![\d:])`, "i"), (m) => monthDay(month(m[1]!), +m[2]!)],
  [new RegExp(String.raw`${WEEKDAY}${DAY}\s+(?:of\s+)?${MONTH}`, "i"), (m) => monthDay(month(m[2]!), +m[1]!)],
];

interface Found {
  index: number;
  text: string;
  iso: string;
}

/** Every date in a text, earliest first; where two readings overlap, the longer one wins. */
function findDates(text: string): Found[] {
  const found: Found[] = [];
  for (const [pattern, parse] of patterns) {
    const re = new RegExp(String.raw`(?<![\w/.-])(?:${pattern.source})(?![\w/])`, "gi");
    for (const m of text.matchAll(re)) {
      const value = parse(m as RegExpExecArray);
      if (value) found.push({ index: m.index!, text: m[0], iso: value });
    }
  }
  found.sort((a, b) => a.index - b.index || b.text.length - a.text.length);
  const kept: Found[] = [];
  for (const f of found) {
    const last = kept.at(-1);
    if (last && f.index < last.index + last.text.length) continue;
    kept.push(f);
  }
  return kept;
}

/** The ISO form of a date span. `strict`: the span must be just a date; otherwise its first date. */
export function canonicalDate(span: string, options: { strict?: boolean } = {}): string | undefined {
  const s = span
    .replace(/\*\*|__|`/g, "")
    .trim()
    .replace(/^["'“‘]|["'”’]$/g, "")
    .replace(/[.;,!]+$/, "")
    .trim();
  const dates = findDates(s);
  if (options.strict) return dates.length === 1 && dates[0]!.text.length === s.length ? dates[0]!.iso : undefined;
  return dates[0]?.iso;
}

/** The last date written in a text, as written. */
export function lastDate(text: string): string | undefined {
  return findDates(text).at(-1)?.text;
}

/**
 * The last date of a sentence, as written, when it cannot be a verb and a count: "they march 12
 * miles" or "you may 3" are not dates, so month names must be capitalised here.
 */
export function sentenceDate(text: string): string | undefined {
  return findDates(text)
    .filter((d) => !/^[a-z]/.test(d.text))
    .at(-1)?.text;
}

function month(name: string): number {
  return (
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].indexOf(
      name.slice(0, 3).toLowerCase(),
    ) + 1
  );
}

function numeric(first: number, second: number, yearText: string): string | undefined {
  const year = yearText.length === 2 ? (+yearText >= 69 ? 1900 : 2000) + +yearText : +yearText;
  return first > 12 ? iso(year, second, first) : iso(year, first, second);
}

function valid(year: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return d <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

const pad = (x: number, width = 2) => String(x).padStart(width, "0");

function iso(year: number, m: number, d: number): string | undefined {
  return valid(year, m, d) ? `${pad(year, 4)}-${pad(m)}-${pad(d)}` : undefined;
}

function yearMonth(year: number, m: number): string | undefined {
  return m >= 1 ? `${pad(year, 4)}-${pad(m)}` : undefined;
}

function monthDay(m: number, d: number): string | undefined {
  return valid(2000, m, d) ? `--${pad(m)}-${pad(d)}` : undefined;
}
