import { CalculatorError } from "./calculator-error.ts";

export type TokenKind = "number" | "name" | "op" | "(" | ")" | "," | "end";

export interface Token {
  kind: TokenKind;
  text: string;
  /** 0-based offset in the expression. */
  position: number;
}

/** Unicode operators people and models write, mapped to the ASCII ones. */
const aliases: Record<string, string> = { "×": "*", "·": "*", "÷": "/", "−": "-", "–": "-", π: "pi" };

/** Splits an arithmetic expression into tokens; an unknown character is a CalculatorError at its position. */
export function tokenizeExpression(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const number = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(expression.slice(i));
    if (number) {
      tokens.push({ kind: "number", text: number[0], position: i });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(expression.slice(i));
    if (name) {
      tokens.push({ kind: "name", text: name[0].toLowerCase(), position: i });
      i += name[0].length;
      continue;
    }
    if (expression.startsWith("**", i)) {
      tokens.push({ kind: "op", text: "^", position: i });
      i += 2;
      continue;
    }
    const symbol = aliases[c] ?? c;
    if (symbol === "pi") tokens.push({ kind: "name", text: "pi", position: i });
    else if ("+-*/%^!".includes(symbol)) tokens.push({ kind: "op", text: symbol, position: i });
    else if (symbol === "(" || symbol === ")" || symbol === ",")
      tokens.push({ kind: symbol, text: symbol, position: i });
    else throw new CalculatorError({ reason: `unexpected character "${c}"`, position: i, expression });
    i++;
  }
  tokens.push({ kind: "end", text: "", position: expression.length });
  return tokens;
}
