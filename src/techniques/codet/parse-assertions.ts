import type { ProgramLanguage } from "../../sandbox/run-program.ts";
import { extractCode } from "../tools/extract-code.ts";

/** Assertions kept from one test reply; more are dropped (CodeT keeps a few per sample). */
export const MAX_ASSERTIONS_PER_REPLY = 20;
/** Characters of one assertion; a longer one is dropped. */
export const MAX_ASSERTION_CHARS = 2000;

/**
 * The assertions in a model's test reply: its code block, cut into statements that start with
 * `assert` (Python `assert x == y`, JavaScript `assert(...)` / `assert.equal(...)`), a statement
 * running on over lines while its brackets are open. Other lines (comments, setup) are left out,
 * as in CodeT, so each assertion stands on its own.
 */
export function parseAssertions({ text, language }: { text: string; language: ProgramLanguage }): string[] {
  const code = extractCode({ text, language });
  if (!code) return [];
  const start = language === "python" ? /^assert\b/ : /^assert\s*[.(]/;
  const out: string[] = [];
  let current: string[] | undefined;
  let depth = 0;
  for (const raw of code.split("\n")) {
    const line = raw.trim();
    if (current) {
      current.push(line);
      depth += bracketDepth(line);
    } else if (start.test(line)) {
      current = [line];
      depth = bracketDepth(line);
    }
    if (current && depth <= 0) {
      const statement = current.join("\n").replace(/;\s*$/, "");
      if (statement.length <= MAX_ASSERTION_CHARS) out.push(statement);
      current = undefined;
      if (out.length >= MAX_ASSERTIONS_PER_REPLY) break;
    }
  }
  return out;
}

/** How many brackets a line leaves open, skipping those inside string literals and after a comment. */
function bracketDepth(line: string): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "#" || (c === "/" && line[i + 1] === "/")) break;
    else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
  }
  return depth;
}
