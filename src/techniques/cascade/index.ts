export { cascade } from "./cascade.ts";
