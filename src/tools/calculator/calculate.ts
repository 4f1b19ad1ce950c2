import { approx, exact, formatValue, MAX_BITS, toNumber, type CalcValue } from "./calc-value.ts";
import { calculatorConstants, calculatorFunctions, root } from "./calculator-functions.ts";
import { CalculatorError } from "./calculator-error.ts";
import { parseExpression, type Expr } from "./parse-expression.ts";
import { bitLength, Rational } from "./rational.ts";

export interface Calculation {
  /** The value as text: exact digits, `p/q ≈ decimal`, or a double to 15 significant digits. */
  text: string;
  /** True when no irrational function or constant was involved, so `text` is exact. */
  exact: boolean;
  /** The nearest double. */
  value: number;
  /** The exact value as `p/q` (or an integer), when exact. */
  fraction?: string;
}

/**
 * Evaluates an arithmetic expression without `eval`: a hand-written parser, then exact rational
 * arithmetic on BigInt for + - * / % and integer powers (0.1 + 0.2 = 0.3, 2^100 keeps every digit),
 * doubles only once an irrational function or constant is involved. Errors (division by zero, bad
 * syntax, unknown names) are CalculatorErrors with the position of the culprit.
 */
export function calculate(expression: string): Calculation {
  const value = evaluate(parseExpression(expression), expression);
  if (!value.exact && !Number.isFinite(value.x))
    throw new CalculatorError({ reason: "the result is not a finite number", position: 0, expression });
  return {
    text: formatValue(value),
    exact: value.exact,
    value: toNumber(value),
    ...(value.exact ? { fraction: value.q.toString() } : {}),
  };
}

function evaluate(node: Expr, expression: string): CalcValue {
  const fail = (reason: string, at: Expr = node): never => {
    throw new CalculatorError({ reason, position: at.position, expression });
  };
  const ev = (n: Expr) => evaluate(n, expression);
  switch (node.type) {
    case "number": {
      // 1e999999999 would take BigInt seconds to build (and then fail): refuse it by its size first.
      const digits = literalDigits(node.text);
      if (digits * LOG2_10 > MAX_BITS)
        fail(
          `the number ${node.text.length > 24 ? `${node.text.slice(0, 20)}…` : node.text} has too many digits (about ${digits})`,
        );
      return exact(Rational.parseDecimal(node.text));
    }
    case "name": {
      const constant = calculatorConstants[node.name];
      if (!constant)
        fail(
          calculatorFunctions[node.name]
            ? `${node.name} is a function: write ${node.name}(...)`
            : `unknown name "${node.name}" (constants: ${Object.keys(calculatorConstants).join(", ")})`,
        );
      return constant!;
    }
    case "call": {
      const f = calculatorFunctions[node.name];
      if (!f)
        return fail(`unknown function "${node.name}" (functions: ${Object.keys(calculatorFunctions).join(", ")})`);
      if (node.args.length < f.minArgs || node.args.length > f.maxArgs) {
        const wanted =
          f.maxArgs === Infinity
            ? `at least ${f.minArgs}`
            : f.minArgs === f.maxArgs
              ? `${f.minArgs}`
              : `${f.minArgs} or ${f.maxArgs}`;
        const plural = (f.maxArgs === Infinity ? f.minArgs : f.maxArgs) === 1 ? "" : "s";
        fail(`${node.name} takes ${wanted} argument${plural}, got ${node.args.length}`);
      }
      const out = f.apply(node.args.map(ev));
      return typeof out === "string" ? fail(out) : finite(out, node, fail);
    }
    case "unary": {
      const v = ev(node.operand);
      return node.op === "+" ? v : v.exact ? exact(v.q.neg()) : approx(-v.x);
    }
    case "factorial":
      return factorial(ev(node.operand), fail);
    case "binary":
      return finite(binary(node.op, ev(node.left), ev(node.right), fail), node, fail);
  }
}

type Fail = (reason: string, at?: Expr) => never;

function binary(op: string, a: CalcValue, b: CalcValue, fail: Fail): CalcValue {
  if ((op === "/" || op === "%") && isZero(b)) fail(op === "/" ? "division by zero" : "modulo by zero");
  if (op === "^") return power(a, b, fail);
  if (a.exact && b.exact) {
    if (op === "+") return exact(a.q.add(b.q));
    if (op === "-") return exact(a.q.sub(b.q));
    if (op === "*") return exact(a.q.mul(b.q));
    if (op === "/") return exact(a.q.div(b.q));
    return exact(a.q.mod(b.q));
  }
  const x = toNumber(a);
  const y = toNumber(b);
  if (op === "+") return approx(x + y);
  if (op === "-") return approx(x - y);
  if (op === "*") return approx(x * y);
  if (op === "/") return approx(x / y);
  return approx(x - y * Math.floor(x / y));
}

function power(a: CalcValue, b: CalcValue, fail: Fail): CalcValue {
  if (a.exact && b.exact) {
    if (a.q.sign === 0 && b.q.sign < 0) fail("division by zero (0 to a negative power)");
    if (b.q.isInteger) {
      const bits = (bitLength(a.q.num) + bitLength(a.q.den)) * Number(b.q.num < 0n ? -b.q.num : b.q.num);
      const unit = a.q.den === 1n && (a.q.num === 1n || a.q.num === -1n);
      if (bits > MAX_BITS && !unit && a.q.sign !== 0)
        fail(`the result is too large (about ${Math.round(bits * 0.30103)} digits)`);
      return exact(a.q.pow(b.q.num));
    }
    // A rational exponent p/q: exact when the base is a perfect q-th power (8^(1/3) = 2).
    if (b.q.den <= 64n) {
      const r = root(a, Number(b.q.den));
      if (typeof r !== "string" && r.exact) return power(r, exact(Rational.of(b.q.num)), fail);
    }
  }
  const x = toNumber(a);
  const y = toNumber(b);
  if (x === 0 && y < 0) fail("division by zero (0 to a negative power)");
  const out = Math.pow(x, y);
  if (Number.isNaN(out)) fail("a negative number to a fractional power is not a real number");
  return approx(out);
}

function factorial(v: CalcValue, fail: Fail): CalcValue {
  if (!v.exact || !v.q.isInteger || v.q.sign < 0) return fail("factorial (!) needs a non-negative integer");
  if (v.q.num > 5000n) return fail("factorial (!) is limited to 5000!");
  let out = 1n;
  for (let i = 2n; i <= v.q.num; i++) out *= i;
  return exact(Rational.of(out));
}

function isZero(v: CalcValue): boolean {
  return v.exact ? v.q.sign === 0 : v.x === 0;
}

function finite(v: CalcValue, node: Expr, fail: Fail): CalcValue {
  if (!v.exact && Number.isNaN(v.x)) fail("the result is not a real number", node);
  // Products and sums of big operands grow too; refusing them here bounds every later step.
  if (v.exact) {
    const bits = bitLength(v.q.num) + bitLength(v.q.den);
    if (bits > MAX_BITS) fail(`the result is too large (about ${Math.round(bits / LOG2_10)} digits)`, node);
  }
  return v;
}

const LOG2_10 = Math.log2(10);

/** Digits a decimal literal stands for: its mantissa's digits plus the size of its exponent. */
function literalDigits(text: string): number {
  const [mantissa, exponent] = text.toLowerCase().split("e");
  return mantissa!.replace(".", "").length + Math.abs(Number(exponent ?? 0));
}
