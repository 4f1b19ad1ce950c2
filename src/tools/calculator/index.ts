export { calculate, type Calculation } from "./calculate.ts";
export { CalculatorError } from "./calculator-error.ts";
export { calculatorTool } from "./calculator-tool.ts";
