import { functionTool, type Tool } from "../tool.ts";
import { stringArgument } from "../tool-arguments.ts";
import { calculate } from "./calculate.ts";

/**
 * The calculator as a tool (`calculator`, one argument `expression`). Its result is the value's text:
 * exact digits, `p/q ≈ decimal` for other fractions, or a double after irrational functions.
 */
export const calculatorTool: Tool = functionTool({
  name: "calculator",
  description:
    "Evaluates an arithmetic expression exactly: fractions stay exact (0.1+0.2 = 0.3, 1/3*3 = 1) and big integers keep every digit. " +
    "Operators + - * / % ^ (or **) ! and parentheses; functions sqrt, cbrt, abs, round(x[, digits]), floor, ceil, min, max, " +
    "log (base 10, or log(x, base)), log2, ln, exp, sin, cos, tan, asin, acos, atan (radians); constants pi, e.",
  parameters: {
    type: "object",
    properties: { expression: { type: "string", description: "The expression, e.g. (2^100 + 1) / 3 or sqrt(2) * 10" } },
    required: ["expression"],
    additionalProperties: false,
  },
  execute(args) {
    return calculate(stringArgument({ tool: "calculator", args, name: "expression" })).text;
  },
});
