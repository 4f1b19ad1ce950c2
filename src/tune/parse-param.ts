import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";

/** `--param n=1,3,5` (every technique with an `n`) or `--param self-consistency.n=1,3` (that one only). */
export interface ParamRule {
  technique?: string;
  name: string;
  values: unknown[];
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reads one `--param` value. Values are split on commas outside quotes and brackets; each is a
 * number, true/false/null, a JSON string or list in quotes/brackets, or else the word as written.
 */
export function parseParam(text: string): ParamRule {
  const eq = text.indexOf("=");
  const key = eq < 0 ? "" : text.slice(0, eq).trim();
  const match = /^(?:([A-Za-z][\w-]*)\.)?([A-Za-z_][\w]*)$/.exec(key);
  if (!match)
    throw new InvalidRequestError(
      `--param ${JSON.stringify(text)}: write NAME=v1,v2 or TECHNIQUE.NAME=v1,v2 (e.g. n=1,3,5)`,
      { param: "param" },
    );
  const values = splitValues(text.slice(eq + 1)).map((raw) => readValue(raw, text));
  if (values.length === 0)
    throw new InvalidRequestError(`--param ${JSON.stringify(text)}: no values after "="`, { param: "param" });
  return { ...(match[1] ? { technique: match[1] } : {}), name: match[2]!, values };
}

function splitValues(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = "";
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") depth--;
    else if (c === "," && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim()).filter(Boolean);
}

function readValue(raw: string, text: string): unknown {
  if (raw === "true") return true;
  if (raw === "false") return false;
  if (raw === "null") return null;
  if (NUMBER.test(raw)) return Number(raw);
  if (raw.startsWith("'") && raw.endsWith("'") && raw.length >= 2) return raw.slice(1, -1);
  if (/^["[{]/.test(raw)) {
    try {
      return JSON.parse(raw);
    } catch (error) {
      throw new InvalidRequestError(
        `--param ${JSON.stringify(text)}: ${raw} is not valid JSON (${(error as Error).message})`,
        { param: "param" },
      );
    }
  }
  return raw;
}
