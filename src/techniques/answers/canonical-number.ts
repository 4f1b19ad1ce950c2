import { stripLatex } from "./latex.ts";

/*
 * Numbers compare by value: "1,000" = "1000", "$18.00" = "18", "18 dollars" = "18", "3/4" = "0.75",
 * "1 1/2" = "1.5", "2.5e3" = "1.5 × 10^3"... Decided: a percent sign is dropped ("50%" = "50"), as
 * GSM8K-style graders do, so "0.5" and "50%" differ. Number words ("eighteen") are not parsed.
 */

const SIGN = String.raw`[-+−]?`;
const DIGITS = String.raw`(?:\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d{2})+,\d{3}|\d+)`;
const DECIMAL = String.raw`(?:${DIGITS}(?:\.\d+)?|\.\d+)`;
const SCIENTIFIC = String.raw`${SIGN}${DECIMAL}(?:\s*[x×*]\s*10\s*(?:\^|\*\*)\s*\{?\s*[-+−]?\d+\s*\}?|[eE][-+−]?\d+)`;
const MIXED = String.raw`${SIGN}\d+\s+\d+\s*/\s*\d+(?![\d/])`;
const FRACTION = String.raw`${SIGN}${DECIMAL}\s*/\s*${DECIMAL}(?![\d/])`;
const TOKEN = String.raw`(?<![\w.,/])(?:${SCIENTIFIC}|${MIXED}|${FRACTION}|${SIGN}${DECIMAL})`;

const PREFIX = String.raw`(?:(?:about|approximately|approx\.?|around|roughly|exactly|only|just|~|≈)\s*)?(?:[a-z]\s*=\s*)?`;
const CURRENCY = String.raw`(?:[$€£¥₹]|usd|eur|gbp|rs\.?)`;
const UNIT = String.raw`(?:%|percent|per\s*cent|[a-z°µ$€£¥₹'"./²³]+(?:\s+[a-z°µ./²³]+){0,3})`;
const STRICT = new RegExp(String.raw`^${PREFIX}(?:${CURRENCY}\s*)?(${TOKEN})\s*${UNIT}?$`, "i");

function tokens(text: string): RegExpMatchArray[] {
  return [...text.matchAll(new RegExp(TOKEN, "g"))];
}

/**
 * The canonical value of a number span. `strict`: the span must be one number (currency, percent,
 * a few unit words allowed); otherwise the first number after the last "=" (so "3 + 4 = 7" is 7).
 */
export function canonicalNumber(span: string, options: { strict?: boolean } = {}): string | undefined {
  const s = stripLatex(span)
    .replace(/^(?:\*\*|__)|(?:\*\*|__)$/g, "")
    .trim()
    .replace(/[.;,:!]+$/, "")
    .trim();
  if (options.strict) {
    const m = STRICT.exec(s);
    return m ? numberValue(m[1]!) : undefined;
  }
  const eq = s.lastIndexOf("=");
  const after = eq >= 0 ? tokens(s.slice(eq + 1)) : [];
  const first = after[0] ?? tokens(s)[0];
  return first ? numberValue(first[0]) : undefined;
}

/** The numbers written in a text, in order and as written (calculator annotations like <<2*9=18>> skipped). */
export function numbersIn(text: string): string[] {
  return tokens(stripLatex(text.replace(/<<[^<>]*>>/g, " "))).map((m) => m[0].trim());
}

/** The last number written in a text (calculator annotations skipped), as written. */
export function lastNumber(text: string): string | undefined {
  return numbersIn(text).at(-1);
}

/** Canonical string of one number token. */
function numberValue(token: string): string | undefined {
  const t = token.replace(/−/g, "-").replace(/\s+/g, " ").trim();
  const times = /^([-+]?[\d.,]+)\s*[x×*]\s*10\s*(?:\^|\*\*)\s*\{?\s*([-+]?\d+)\s*\}?$/.exec(t);
  if (times) return formatFloat(Number(unComma(times[1]!)) * 10 ** Number(times[2]));
  if (/e/i.test(t)) return formatFloat(Number(unComma(t)));
  const mixed = /^([-+]?)(\d+) (\d+) ?\/ ?(\d+)$/.exec(t);
  if (mixed) {
    const value = Number(mixed[2]) + Number(mixed[3]) / Number(mixed[4]);
    return formatFloat(mixed[1] === "-" ? -value : value);
  }
  const fraction = /^([-+]?[\d.,]+) ?\/ ?([\d.,]+)$/.exec(t);
  if (fraction) return formatFloat(Number(unComma(fraction[1]!)) / Number(unComma(fraction[2]!)));
  const exact = exactDecimal(unComma(t));
  // Long decimals ("0.3333333333333333") meet the fractions they came from ("1/3").
  return exact && exact.includes(".") && exact.replace(/\D|^[-0.]+/g, "").length > 12
    ? formatFloat(Number(exact))
    : exact;
}

function unComma(s: string): string {
  return s.replace(/,/g, "");
}

/** Plain decimals are normalised as strings: exact for any length ("18.50" → "18.5", "007" → "7"). */
function exactDecimal(s: string): string | undefined {
  const m = /^([-+]?)(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (!m[2] && !m[3])) return undefined;
  const whole = m[2]!.replace(/^0+(?=\d)/, "") || "0";
  const frac = (m[3] ?? "").replace(/0+$/, "");
  const body = frac ? `${whole}.${frac}` : whole;
  return m[1] === "-" && /[1-9]/.test(body) ? `-${body}` : body;
}

/** Computed values (fractions, exponents) are rounded to 12 significant digits to hide float noise. */
function formatFloat(x: number): string | undefined {
  if (!Number.isFinite(x)) return undefined;
  const rounded = Number(x.toPrecision(12));
  if (Object.is(rounded, -0)) return "0";
  if (Number.isInteger(rounded) && Math.abs(rounded) < 1e21) return BigInt(rounded).toString();
  return exactDecimal(String(rounded)) ?? String(rounded);
}
