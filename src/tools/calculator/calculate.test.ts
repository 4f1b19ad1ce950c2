import assert from "node:assert/strict";
import { test } from "node:test";
import { calculate } from "./calculate.ts";
import { CalculatorError } from "./calculator-error.ts";
import { calculatorTool } from "./calculator-tool.ts";
import { createRunContext } from "../../core/context.ts";

const text = (e: string) => calculate(e).text;

test("decimal fractions are exact: 0.1 + 0.2 is 0.3, and 1/3 * 3 is 1", () => {
  assert.deepEqual(calculate("0.1 + 0.2"), { text: "0.3", exact: true, value: 0.3, fraction: "3/10" });
  assert.equal(text("1/3 * 3"), "1");
  assert.equal(text("1/3"), "1/3 ≈ 0.333333333333333");
  assert.equal(text("0.1 * 3 - 0.3"), "0");
  assert.equal(text("1.15 * 100"), "115");
  assert.equal(text("2.5e-3 + 1E3"), "1000.0025");
});

test("big integers keep every digit", () => {
  assert.equal(text("2^100"), "1267650600228229401496703205376");
  assert.equal(text("2**64 - 1"), "18446744073709551615");
  assert.equal(text("12345678901234567890 * 98765432109876543210"), "1219326311370217952237463801111263526900");
  assert.equal(text("25!"), "15511210043330985984000000");
  assert.equal(text("(2^100 + 1) / 3 * 3 - 2^100"), "1");
});

test("precedence, associativity and unary minus", () => {
  assert.equal(text("2 + 3 * 4"), "14");
  assert.equal(text("(2 + 3) * 4"), "20");
  assert.equal(text("10 - 4 - 3"), "3", "left-associative");
  assert.equal(text("2 ^ 3 ^ 2"), "512", "right-associative");
  assert.equal(text("-2^2"), "-4", "powers bind tighter than unary minus");
  assert.equal(text("(-2)^2"), "4");
  assert.equal(text("2^-2"), "0.25");
  assert.equal(text("--3 + -(-2)"), "5");
  assert.equal(text("-7 % 3"), "2", "modulo takes the divisor's sign");
  assert.equal(text("7.5 % 2"), "1.5");
  assert.equal(text("2 × 3 ÷ 4 − 1"), "0.5", "unicode operators");
});

test("functions and constants: exact where the result is rational, doubles otherwise", () => {
  assert.equal(text("sqrt(144)"), "12");
  assert.equal(text("sqrt(9/4)"), "1.5");
  assert.deepEqual(calculate("sqrt(2)"), { text: "1.4142135623731", exact: false, value: Math.SQRT2 });
  assert.equal(text("8^(1/3)"), "2");
  assert.equal(text("abs(-2.5) + floor(-1.5) + ceil(1.2)"), "2.5");
  assert.equal(text("round(2.5) + round(-2.5)"), "0", "half away from zero");
  assert.equal(text("round(3.14159, 2)"), "3.14");
  assert.equal(text("min(3, 1/2, 2) + max(1, 7, 4)"), "7.5");
  assert.equal(text("log(1000) + log(8, 2) + log2(1024)"), "16");
  assert.equal(text("ln(e)"), "1");
  assert.equal(text("exp(0)"), "1");
  assert.equal(text("sin(pi / 2) + cos(0)"), "2");
  assert.equal(text("tan(pi / 4)"), "1");
  assert.equal(text("2 * pi"), "6.28318530717959");
  assert.equal(text("PI"), "3.14159265358979", "names are case-insensitive");
});

test("errors say what is wrong and point at where", () => {
  const error = (expression: string) => {
    try {
      calculate(expression);
    } catch (e) {
      assert.ok(CalculatorError.isInstance(e));
      return { reason: e.reason, position: e.position };
    }
    assert.fail(`${expression} did not fail`);
  };
  assert.deepEqual(error("1 + 2 / (3 - 3)"), { reason: "division by zero", position: 6 });
  assert.deepEqual(error("5 % 0"), { reason: "modulo by zero", position: 2 });
  assert.deepEqual(error("0 ^ -1"), { reason: "division by zero (0 to a negative power)", position: 2 });
  assert.deepEqual(error("2 + * 3"), { reason: 'unexpected "*"', position: 4 });
  assert.deepEqual(error("(1 + 2"), {
    reason: 'expected ")" to close the "(" at position 1, found the end of the expression',
    position: 6,
  });
  assert.deepEqual(error("2 3"), { reason: 'expected an operator before "3"', position: 2 });
  assert.deepEqual(error("4 $ 2"), { reason: 'unexpected character "$"', position: 2 });
  assert.deepEqual(error(""), { reason: "the expression is empty", position: 0 });
  assert.deepEqual(error("sqrt(-4)"), {
    reason: "the square root of a negative number is not a real number",
    position: 0,
  });
  assert.deepEqual(error("max()"), { reason: "max takes at least 1 argument, got 0", position: 0 });
  assert.match(error("fib(3)").reason, /^unknown function "fib" \(functions: sqrt, /);
  assert.match(error("x + 1").reason, /^unknown name "x"/);
  assert.deepEqual(error("(-8) ^ 0.5"), {
    reason: "a negative number to a fractional power is not a real number",
    position: 5,
  });
  assert.match(error("10 ^ 100000").reason, /^the result is too large/);
  const e = (() => {
    try {
      calculate("1 / 0");
    } catch (err) {
      return err as Error;
    }
  })()!;
  assert.equal(e.message, "division by zero at position 3:\n  1 / 0\n    ^");
});

test("numbers too big to build are refused as calculator errors at their position, not computed", () => {
  const refused = (expression: string) => {
    try {
      calculate(expression);
    } catch (e) {
      assert.ok(CalculatorError.isInstance(e), `${expression}: ${String(e)}`);
      return { reason: e.reason, position: e.position };
    }
    assert.fail(`${expression} did not fail`);
  };
  assert.deepEqual(refused("2 * 1e999999999"), {
    reason: "the number 1e999999999 has too many digits (about 1000000000)",
    position: 4,
  });
  assert.deepEqual(refused("1 + 1e-999999"), {
    reason: "the number 1e-999999 has too many digits (about 1000000)",
    position: 4,
  });
  assert.deepEqual(refused("round(1, 1000000000)"), {
    reason: "round's second argument (digits) must be from -30102 to 30102",
    position: 0,
  });
  assert.deepEqual(refused("round(1, -1000000000)"), {
    reason: "round's second argument (digits) must be from -30102 to 30102",
    position: 0,
  });
  assert.deepEqual(
    refused("1e20000 * 1e20000"),
    { reason: "the result is too large (about 40001 digits)", position: 8 },
    "products grow past the limit too",
  );
  // Up to the limit everything still works exactly.
  assert.equal(text("1e30000 / 1e29999"), "10");
  assert.equal(text("round(2/3, 20)"), "0.66666666666666666667");
  assert.equal(text("1e-30000 * 1e30000"), "1");
  assert.equal(text("1e-300 + 1e-300"), `1/5${"0".repeat(299)} ≈ 2e-300`);
});

test("the calculator tool takes an expression and returns the exact text", async () => {
  assert.equal(calculatorTool.definition.function.name, "calculator");
  assert.deepEqual((calculatorTool.definition.function.parameters as { required: string[] }).required, ["expression"]);
  assert.equal(await calculatorTool.execute({ expression: "0.1 + 0.2" }, createRunContext()), "0.3");
  assert.throws(
    () => calculatorTool.execute({ expr: "1" }, createRunContext()),
    /needs a string argument "expression"/,
  );
});
