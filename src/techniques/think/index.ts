export { think } from "./think.ts";
