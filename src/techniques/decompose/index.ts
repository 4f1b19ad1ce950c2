export { leastToMost } from "./least-to-most.ts";
export { planAndSolve, planAndSolveTriggers } from "./plan-and-solve.ts";
export { parseSubquestions } from "./parse-subquestions.ts";
