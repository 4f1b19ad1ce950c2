import { CalculatorError } from "./calculator-error.ts";
import { tokenizeExpression, type Token } from "./tokenize-expression.ts";

export type Expr =
  | { type: "number"; text: string; position: number }
  | { type: "name"; name: string; position: number }
  | { type: "call"; name: string; args: Expr[]; position: number }
  | { type: "unary"; op: "-" | "+"; operand: Expr; position: number }
  | { type: "factorial"; operand: Expr; position: number }
  | { type: "binary"; op: "+" | "-" | "*" | "/" | "%" | "^"; left: Expr; right: Expr; position: number };

/** Binding powers: `^` binds tighter than unary minus (-2^2 = -4) and is right-associative. */
const infix: Record<string, { left: number; right: number }> = {
  "+": { left: 10, right: 11 },
  "-": { left: 10, right: 11 },
  "*": { left: 20, right: 21 },
  "/": { left: 20, right: 21 },
  "%": { left: 20, right: 21 },
  "^": { left: 40, right: 39 },
};
const PREFIX = 30;
const POSTFIX = 50;

/**
 * Parses an arithmetic expression (a Pratt parser over `tokenizeExpression`'s tokens) into a tree.
 * Errors are CalculatorErrors pointing at the token where parsing went wrong.
 */
export function parseExpression(expression: string): Expr {
  const tokens = tokenizeExpression(expression);
  let at = 0;
  const peek = (): Token => tokens[at]!;
  const next = (): Token => tokens[at++]!;
  const fail = (reason: string, token: Token = peek()): never => {
    throw new CalculatorError({ reason, position: token.position, expression });
  };
  const describe = (t: Token) => (t.kind === "end" ? "the end of the expression" : `"${t.text}"`);

  function parse(minPower: number): Expr {
    let left = prefix();
    for (;;) {
      const t = peek();
      if (t.kind === "op" && t.text === "!") {
        if (POSTFIX < minPower) break;
        next();
        left = { type: "factorial", operand: left, position: t.position };
        continue;
      }
      const power = t.kind === "op" ? infix[t.text] : undefined;
      if (!power) {
        if (t.kind === "number" || t.kind === "name" || t.kind === "(")
          fail(`expected an operator before ${describe(t)}`);
        break;
      }
      if (power.left < minPower) break;
      next();
      left = { type: "binary", op: t.text as "+", left, right: parse(power.right), position: t.position };
    }
    return left;
  }

  function prefix(): Expr {
    const t = next();
    if (t.kind === "number") return { type: "number", text: t.text, position: t.position };
    if (t.kind === "op" && (t.text === "-" || t.text === "+"))
      return { type: "unary", op: t.text, operand: parse(PREFIX), position: t.position };
    if (t.kind === "(") {
      const inner = parse(0);
      if (peek().kind !== ")")
        fail(`expected ")" to close the "(" at position ${t.position + 1}, found ${describe(peek())}`);
      next();
      return inner;
    }
    if (t.kind === "name") {
      if (peek().kind !== "(") return { type: "name", name: t.text, position: t.position };
      next();
      const args: Expr[] = [];
      if (peek().kind !== ")") {
        for (;;) {
          args.push(parse(0));
          if (peek().kind === ",") {
            next();
            continue;
          }
          if (peek().kind !== ")") fail(`expected "," or ")" in the arguments of ${t.text}, found ${describe(peek())}`);
          break;
        }
      }
      next();
      return { type: "call", name: t.text, args, position: t.position };
    }
    return fail(t.kind === "end" ? "the expression ended early: a number is missing" : `unexpected ${describe(t)}`, t);
  }

  if (peek().kind === "end") fail("the expression is empty");
  const tree = parse(0);
  if (peek().kind !== "end") fail(`unexpected ${describe(peek())}`);
  return tree;
}
