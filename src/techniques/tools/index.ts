export { programAided } from "./program-aided.ts";
export { tools } from "./tools.ts";
